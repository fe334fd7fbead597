import type { SchemeTable } from '../test-support/table.js';

// Written from the POM reference's "Version Order Specification" and its examples: a < b per row.
const ascending: [string, string][] = [
  ['1', '1.1'],
  ['1-snapshot', '1'],
  ['1-alpha', '1-beta'],
  ['1-beta', '1-milestone'],
  ['1-milestone', '1-rc'],
  ['1-rc', '1-snapshot'],
  ['1', '1-sp'],
  ['1-sp', '1-abc'], // unknown qualifiers after the known ones
  ['1-abc', '1-xyz'],
  ['1-xyz', '1-1'], // numbers after qualifiers
  ['1-1', '1.1'],
  ['1-a1', '1-b1'], // a, b, m directly followed by a digit mean alpha, beta, milestone
  ['1.0-alpha-1', '1.0'],
  ['1.0-SNAPSHOT', '1.0'],
  ['1.0', '1.0.1'],
  ['1.9', '1.10'],
  ['1.0.0.RC1', '1.0.0'],
  ['1.0-rc1', '1.0-sp1'],
  ['2.0.0.Final', '2.0.1'],
  ['1.1-1', '1.1.1'],
  ['1.12345678901234567890', '1.12345678901234567891'],
];

const equal: [string, string][] = [
  ['1', '1.0'],
  ['1', '1.0.0'],
  ['1.0', '1-0'],
  ['1-ga', '1'],
  ['1-final', '1'],
  ['1.0.RELEASE', '1.0'],
  ['1-cr1', '1-rc1'],
  ['1a1', '1-alpha-1'],
  ['1.0-ALPHA1', '1.0-alpha1'],
  ['1.0-1', '1-1'],
];

const invalid = ['', ' 1.0', '1.0 ', '-1', '.1', '1.0/2', '1.0#', 'x'.repeat(1000)];

export const MAVEN_TABLE: SchemeTable = { ascending, equal, invalid };
