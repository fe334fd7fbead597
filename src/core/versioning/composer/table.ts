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
  // Branches: Comparator puts dev-<branch> below every numbered version, and a numbered branch
  // alias 1.x-dev is 1.9999999.9999999.9999999-dev, above every 1.* release.
  ['dev-main', '0.0.1'],
  ['1.99.0', '1.x-dev'],
  ['1.0.*-dev', '1.1.0'],
  ['1.0.0 as 2.0', '1.0.1'], // an inline alias is the version before "as"
];

const equal: [string, string][] = [
  ['1.0', '1.0.0.0'],
  ['v1.0.0', '1.0.0'],
  ['1.0.0-b2', '1.0.0-beta2'],
  ['1.0.0-p1', '1.0.0-patch1'],
  ['1.0.0-rc.1', '1.0.0-RC1'],
  ['1.0.0+build.5', '1.0.0'],
  ['1.0.0-stable', '1.0.0'],
  ['master', 'dev-master'],
  ['trunk', 'dev-trunk'],
  ['DEV-main', 'dev-main'],
  ['1.x-dev', '1.*-dev'],
  ['1.0.x-dev', 'v1.0.*-dev'],
  ['1.0.0 as 2.0', '1.0.0'],
  [' 1.0 ', '1.0'], // PHP's trim()
];

const invalid = [
  '',
  'dev',
  'main', // a branch needs its dev- prefix, except master, trunk and default
  'main-dev',
  '1.2.3.4.x-dev',
  '1.0 as',
  '\u00a01.0', // not whitespace to PHP's trim()
  'abc',
  '1.0.0-gamma',
  '1.0.0.0.0',
  'v',
  '1.0-x',
  '1..0',
];

export const COMPOSER_TABLE: SchemeTable = { ascending, equal, invalid };
