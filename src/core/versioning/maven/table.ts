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
  // Any string has a place: "~" and "+" are plain characters of an unknown qualifier, which sorts
  // after the release (Maven knows nothing of Debian's tilde).
  ['3.0.0', '3.0.0~a3+dfsg'],
  ['3.0.0~a3+dfsg', '3.0.0~a4+dfsg'],
  ['-1.0', '1.0'], // a leading separator stands for a 0 component
  ['1.0', '1.0 '], // a blank is a qualifier like any other
  ['1.0-ä', '1.0-é'], // unknown qualifiers in code-unit order, any script
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
  ['-1.0', '0-1'],
  ['.1', '0.1'],
  ['1.0-ÄRGER', '1.0-ärger'], // qualifiers are compared in lower case
];

// What we refuse although ComparableVersion would take it: see docs/adr/0003-version-schemes.md.
const invalid = ['', '..', '-', '1.0\u0000', '1.0\u200b', '\u0661.0', 'x'.repeat(1000)];

export const MAVEN_TABLE: SchemeTable = { ascending, equal, invalid };
