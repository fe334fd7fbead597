import type { SchemeTable } from '../test-support/table.js';

// Written from PEP 440 ("Summary of permitted suffixes and relative ordering", "Normalization",
// "Local version identifiers"): a < b for every row.
const ascending: [string, string][] = [
  ['1.0.dev456', '1.0a1'],
  ['1.0a1', '1.0a2.dev456'],
  ['1.0a2.dev456', '1.0a12.dev456'],
  ['1.0a12.dev456', '1.0a12'],
  ['1.0a12', '1.0b1.dev456'],
  ['1.0b1.dev456', '1.0b2'],
  ['1.0b2', '1.0b2.post345.dev456'],
  ['1.0b2.post345.dev456', '1.0b2.post345'],
  ['1.0b2.post345', '1.0rc1.dev456'],
  ['1.0rc1.dev456', '1.0rc1'],
  ['1.0rc1', '1.0'],
  ['1.0', '1.0+abc.5'],
  ['1.0+abc.5', '1.0+abc.7'],
  ['1.0+abc.7', '1.0+5'], // numeric local segments sort above alphanumeric ones
  ['1.0+5', '1.0.post456.dev34'],
  ['1.0.post456.dev34', '1.0.post456'],
  ['1.0.post456', '1.0.15'],
  ['1.0.15', '1.1.dev1'],
  ['2013.10', '1!0.1'], // epochs first
  ['1.0+ubuntu.1', '1.0+ubuntu.1.1'],
];

// PEP 440 "Normalization": spellings of the same version.
const equal: [string, string][] = [
  ['1.0', '1.0.0'],
  ['1.0alpha1', '1.0a1'],
  ['1.0-beta.2', '1.0b2'],
  ['1.0c1', '1.0rc1'],
  ['1.0pre1', '1.0rc1'],
  ['1.0-1', '1.0.post1'],
  ['1.0rev1', '1.0.post1'],
  ['1.0.post', '1.0.post0'],
  ['1.0-dev', '1.0.dev0'],
  ['v1.0', '1.0'],
  ['0!1.0', '1.0'],
  ['1.0+ABC-1_2', '1.0+abc.1.2'],
  ['01.002', '1.2'],
  [' 1.0 ', '1.0'], // packaging strips surrounding whitespace, Unicode spaces included
  ['\u00a01.0rc1\n', '1.0rc1'],
];

const invalid = [
  '',
  'abc',
  '1.0+',
  '1.0+a..b',
  '1!',
  '1.0-alpha-beta',
  '1.0_',
  '1..0',
  '\ufeff1.0', // not whitespace to Python
  '1. 0',
  '1.0.post1.post2',
  '-1.0',
];

export const PEP440_TABLE: SchemeTable = { ascending, equal, invalid };
