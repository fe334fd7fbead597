import type { SchemeTable } from '../test-support/table.js';

// Written from getcomposer.org "Versions and constraints" (stabilities dev < alpha < beta < RC <
// stable, patch releases after the release) and PHP's version_compare documentation: a < b.
const ascending: [string, string][] = [
  ['1.0.0-dev', '1.0.0-alpha1'],
  ['1.0.0-alpha1', '1.0.0-alpha2'],
  ['1.0.0-alpha2', '1.0.0-beta1'],
  ['1.0.0-beta1', '1.0.0-RC1'],
  ['1.0.0-RC1', '1.0.0'],
  ['1.0.0', '1.0.0-patch1'],
  ['1.0.0', '1.0.1'],
  ['1.9', '1.10'],
  ['v1.2.3', '1.2.4'],
  ['1.0.0-a1', '1.0.0-b1'], // a and b are alpha and beta
  ['1.0.0-rc1', '1.0.0-pl1'],
  ['2010.01.02', '2010.01.03'],
  ['1.0.0.1', '1.0.1'],
];

const equal: [string, string][] = [
  ['1.0', '1.0.0.0'],
  ['v1.0.0', '1.0.0'],
  ['1.0.0-b2', '1.0.0-beta2'],
  ['1.0.0-p1', '1.0.0-patch1'],
  ['1.0.0-rc.1', '1.0.0-RC1'],
  ['1.0.0+build.5', '1.0.0'],
  ['1.0.0-stable', '1.0.0'],
];

const invalid = [
  '',
  'dev-main',
  'master',
  '1.x-dev',
  'abc',
  '1.0.0-gamma',
  ' 1.0',
  '1.0.0.0.0',
  'v',
  '1.0-x',
  '1..0',
];

export const COMPOSER_TABLE: SchemeTable = { ascending, equal, invalid };
