import type { SchemeTable } from '../test-support/table.js';

// Written from Debian Policy 5.6.12 and the dpkg manual: a < b for every row.
const ascending: [string, string][] = [
  ['1.0~rc1', '1.0'], // tilde sorts before the end of the string
  ['1.0~~', '1.0~'],
  ['1.0~~a', '1.0~'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'], // letters before non-letters
  ['1.0+', '1.0.'],
  ['1.0', '1.0-1'],
  ['1.0-1', '1.0-1.1'],
  ['2.36.1-8+deb11u1', '2.36.1-8+deb11u2'],
  ['1.2.3-1~deb12u1', '1.2.3-1'], // backport/stable update below the unstable revision
  ['1.2.3-1', '1.2.3-1+b1'], // binNMU above its source revision
  ['9.9', '1:0.1'], // epoch wins
  ['1:1.0', '2:0.1'],
  ['1.9', '1.10'], // digit runs compare numerically
  ['1.09', '1.10'],
  ['1.0-9', '1.0-10'],
  ['7.6p2-4', '7.6p3-1'],
  ['1.18446744073709551615', '1.18446744073709551616'], // past 64 bits
  ['0.0', '0.0+really1'],
  ['1.0-a', '1.0-b'],
  ['1:2.0-1', '1:2.0-1.1'],
];

const equal: [string, string][] = [
  ['1.0', '1.0-0'],
  ['1.0', '0:1.0'],
  ['1.01', '1.1'],
  ['1.000', '1.0'],
  ['00:1.0', '1.0'],
];

// Not Debian versions (dpkg's parseversion rejects or warns about each).
const invalid = [
  '',
  ' ',
  'abc',
  'a:1.0',
  '1.0-',
  ':1.0',
  '1.0 1',
  '1:',
  '1.0-a b',
  '1.0-1_2',
  '1.0#1',
  '99999999999:1',
  'x'.repeat(1000),
];

export const DEB_TABLE: SchemeTable = { ascending, equal, invalid };
