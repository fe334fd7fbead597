import type { SchemeTable } from '../test-support/table.js';

// Written from NuGet's documented rules (learn.microsoft.com "NuGet package version reference":
// version basics, pre-release versions, SemVer 2.0.0 labels, normalized version numbers) and
// NuGet.Versioning's VersionComparer as documented there: a < b for every row. There is no
// NuGet reference tool (nor .NET) on the test machine, so these are not produced by one.
const ascending: [string, string][] = [
  ['1.0', '1.0.1'],
  ['1.0.0', '1.0.0.1'], // a fourth part, Revision
  ['1.0.0.1', '1.0.1'],
  ['1.9', '1.10'],
  ['1.0.0-alpha', '1.0.0'], // a pre-release sorts below its release
  ['1.0.0-alpha', '1.0.0-alpha.1'], // a shorter list of labels first
  ['1.0.0-alpha.1', '1.0.0-alpha.beta'], // numeric labels below text labels
  ['1.0.0-alpha.beta', '1.0.0-beta'],
  ['1.0.0-beta', '1.0.0-beta.2'],
  ['1.0.0-beta.2', '1.0.0-beta.11'], // numeric labels compare as numbers
  ['1.0.0-beta.11', '1.0.0-rc.1'],
  ['1.0.0-rc.1', '1.0.0'],
  ['1.0.0-beta01', '1.0.0-beta02'], // SemVer 1 style labels compare as text
  ['1.0.0-1', '1.0.0-a'],
  ['2.0.0-preview.1.21102.12', '2.0.0-preview.2.21154.6'],
  ['1.0.0-alpha', '1.0.0-Beta'], // text labels compare without case
  ['1.0.0-beta-1', '1.0.0-beta-2'],
  ['2147483646', '2147483647'], // parts are 32-bit integers
];

const equal: [string, string][] = [
  ['1', '1.0.0'], // missing parts are 0
  ['1.0', '1.0.0.0'],
  ['1.01', '1.1'], // leading zeros do not count
  ['1.00.0.0', '1.0'],
  ['1.0.0-RC.1', '1.0.0-rc.1'], // labels are case-insensitive
  ['1.0.0-Beta', '1.0.0-beta'],
  ['1.0.0+build.5', '1.0.0'], // build metadata is ignored
  ['1.0.0-rc.1+abc', '1.0.0-rc.1+def'],
  [' 1.0.0 ', '1.0.0'], // NuGetVersion.Parse trims
];

const invalid = [
  '',
  'v1.0.0', // NuGet has no v prefix
  '1.0.0.0.0', // at most four parts
  '1..0',
  '1.0.',
  '.1',
  '1.0-', // an empty pre-release
  '1.0+', // empty metadata
  '1.0.0-01', // numeric labels have no leading zeros
  '1.0.0-beta..1',
  '1.0.0-beta_1', // labels are [0-9A-Za-z-]
  '1.0.0-ß',
  '2147483648', // above Int32.MaxValue
  'a.b',
  '1.0\u0000',
  'x'.repeat(1000),
];

export const NUGET_TABLE: SchemeTable = { ascending, equal, invalid };
