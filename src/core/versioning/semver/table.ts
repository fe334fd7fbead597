import type { SchemeTable } from '../test-support/table.js';

// semver.org 2.0.0, section 11 (precedence), including its own example chain: a < b per row.
const ascending: [string, string][] = [
  ['1.0.0', '2.0.0'],
  ['2.0.0', '2.1.0'],
  ['2.1.0', '2.1.1'],
  ['1.0.0-alpha', '1.0.0-alpha.1'],
  ['1.0.0-alpha.1', '1.0.0-alpha.beta'],
  ['1.0.0-alpha.beta', '1.0.0-beta'],
  ['1.0.0-beta', '1.0.0-beta.2'],
  ['1.0.0-beta.2', '1.0.0-beta.11'],
  ['1.0.0-beta.11', '1.0.0-rc.1'],
  ['1.0.0-rc.1', '1.0.0'],
  ['1.0.0-1', '1.0.0-a'], // numeric identifiers sort before alphanumeric ones
  ['1.9.0', '1.10.0'],
  ['0.0.1', '0.1.0'],
];

const equal: [string, string][] = [
  ['1.0.0+build.1', '1.0.0+build.2'], // build metadata does not take part in precedence
  ['1.0.0', 'v1.0.0'],
  [' 1.0.0 ', '1.0.0'], // semver.valid() trims surrounding whitespace
  ['\t1.0.0-rc.1\n', '1.0.0-rc.1'],
];

const invalid = [
  '1',
  '1.0',
  '01.0.0',
  '1.0.0-01',
  '1.0.0.0',
  'a.b.c',
  ' 1.0 ',
  '1. 0.0',
  '1.0.0-',
  '1.0.0+',
  '1.2.3-a..b',
];

export const SEMVER_TABLE: SchemeTable = { ascending, equal, invalid };
