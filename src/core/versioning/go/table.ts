import type { SchemeTable } from '../test-support/table.js';

// Written from the Go modules reference ("Versions", "Pseudo-versions", "Compatibility with
// non-module repositories") and golang.org/x/mod/semver's documentation: a < b per row.
const ascending: [string, string][] = [
  ['v1.2.3', 'v1.10.0'],
  ['v1.0.0-alpha', 'v1.0.0-alpha.1'],
  ['v1.0.0-beta.2', 'v1.0.0-beta.11'],
  ['v1.0.0-rc.1', 'v1.0.0'],
  ['v0.0.0-20191109021931-daa7c04131f5', 'v0.0.0-20200101000000-000000000000'], // pseudo-versions sort by time
  ['v0.0.0-20191109021931-daa7c04131f5', 'v0.1.0'], // and below any tagged release
  ['v1.2.3', 'v1.2.4-0.20191109021931-daa7c04131f5'], // a commit after v1.2.3
  ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4'],
  ['v1.2.4-pre', 'v1.2.4-pre.0.20191109021931-daa7c04131f5'], // a commit after v1.2.4-pre
  ['v1.2.4-pre.0.20191109021931-daa7c04131f5', 'v1.2.4-pre.1'],
  ['v1.9.9', 'v2.0.0+incompatible'],
  ['v2.0.0+incompatible', 'v2.0.1+incompatible'],
  ['v1', 'v1.0.1'],
  ['1.2.3', 'v1.2.4'], // OSV writes Go versions without the "v"
  ['v1.0.0-1', 'v1.0.0-a'],
];

const equal: [string, string][] = [
  ['v2.0.0+incompatible', 'v2.0.0'], // build metadata is ignored
  ['v1', 'v1.0.0'],
  ['v1.2', 'v1.2.0'],
  ['1.2.3', 'v1.2.3'],
];

const invalid = [
  '',
  'v',
  'v01.0.0',
  'v1.0.0-01',
  'v1.2-pre',
  'v1+build',
  'v1.2.3.4',
  'vx.y.z',
  'V1.0.0',
  'v1.0.0-',
  'v1.0.0+',
  'v1.0.0-a..b',
];

export const GO_TABLE: SchemeTable = { ascending, equal, invalid };
