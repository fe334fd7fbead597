import type { SchemeTable } from '../test-support/table.js';

// Written from the Gem::Version documentation ("How Software Changes", "Preventing Version
// Catastrophe") and its stated rules: a < b for every row.
const ascending: [string, string][] = [
  ['1.0.a', '1.0'], // any letter makes a pre-release, below the release
  ['1.0.a', '1.0.b'],
  ['1.0.a.1', '1.0.a.2'],
  ['1.0.a.2', '1.0.a.10'],
  ['1.0.rc1', '1.0'],
  ['1.0.0-rc1', '1.0.0'], // "-" reads as ".pre."
  ['1.0.pre', '1.0.rc'],
  ['1.9', '1.10'],
  ['2.2.3', '2.3'],
  ['1.0', '1.0.1'],
  ['1.0.beta', '1.0.0.1'],
  ['0.9.9', '1'],
  ['5.0.0.beta1', '5.0.0.rc1'],
  ['1.18446744073709551615', '1.18446744073709551616'],
];

const equal: [string, string][] = [
  ['1.0', '1.0.0'],
  ['1', '1.0.0.0'],
  ['1.0a', '1.0.a'],
  ['1.0.a.0', '1.0.a'],
  ['1.01', '1.1'],
  ['1.0-rc1', '1.0.pre.rc1'],
  [' 1.0 ', '1.0'], // Gem::Version.new strips surrounding blanks
  ['\t2.1\n', '2.1'],
  ['', '0'], // and reads a blank version as 0
  [' ', '0.0'],
];

const invalid = [
  '\u00a01.0',
  '1.0\u0000',
  'a',
  '.1',
  '1.',
  '1..2',
  '1.0 beta',
  '1_0',
  '1.0+build',
  '-1',
  '1.0-',
  'x'.repeat(1000),
];

export const GEM_TABLE: SchemeTable = { ascending, equal, invalid };
