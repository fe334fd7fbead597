import type { SchemeTable } from '../test-support/table.js';

// Written from the APKBUILD reference ("pkgver" format and suffix order) and apk-tools'
// documented comparison (`apk version -t`): a < b for every row.
const ascending: [string, string][] = [
  ['1.0_alpha', '1.0_beta'],
  ['1.0_beta', '1.0_pre'],
  ['1.0_pre', '1.0_rc'],
  ['1.0_rc', '1.0'],
  ['1.0', '1.0_cvs'],
  ['1.0_cvs', '1.0_svn'],
  ['1.0_svn', '1.0_git'],
  ['1.0_git', '1.0_hg'],
  ['1.0_hg', '1.0_p'],
  ['1.0_p1', '1.0_p2'],
  ['1.0_alpha1', '1.0_alpha2'],
  ['1.0_alpha9', '1.0_alpha10'],
  ['1.0_rc1', '1.0_rc1_p1'],
  ['1.0_rc1-r1', '1.0_rc1-r2'],
  ['1.0-r0', '1.0-r1'],
  ['1.0-r9', '1.0-r10'],
  ['1.0-r99', '1.0a'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0b'],
  ['1.0z', '1.0.1'],
  ['1.0', '1.0.1'],
  ['1.2.9', '1.2.10'],
  ['1.01', '1.1'], // leading zeros after a dot: fewer zeros is newer
  ['1.001', '1.01'],
  ['1.0_rc1', '1.0.0'],
  ['2.36.1-r5', '2.37-r0'],
  ['3.0.8-r0', '3.0.8-r1'],
  ['9', '10'],
  ['1.18446744073709551615', '1.18446744073709551616'],
  ['1.0_p1', '1.0.1'],
  ['1.2_git20230101', '1.2_git20230102'],
];

const equal: [string, string][] = [
  ['1.0', '1.0'],
  ['1.0_p1', '1.0_p01'], // suffix and revision numbers are plain numbers
  ['2-r1', '2-r01'],
];

const invalid = [
  '',
  'a',
  '1.0A',
  '1.0_foo',
  '1.0-r',
  '1.0-1',
  '1.0_alpha.1',
  '1.0a.1',
  'v1.0',
  '1..0',
  '1.0-r1-r2',
  '.1',
];

export const APK_TABLE: SchemeTable = { ascending, equal, invalid };
