import type { SchemeTable } from '../test-support/table.js';

// Written from rpm's rpmvercmp rules (rpm.org "Package version comparison") and the
// tilde/caret sections of the RPM packaging guidelines: a < b for every row.
const ascending: [string, string][] = [
  ['..', '0'], // a string of separators sorts below anything with a segment
  ['1.0-%{?dist}', '1.0-1'], // the macro's letters sort below a number
  ['a:b', '1:0'], // no leading digits, so "a:" is version text, not an epoch
  ['1.0-', '1.0-1'],
  ['1.0', '1.0.1'],
  ['1.0~rc1', '1.0'], // tilde: before the plain release
  ['1.0~rc1', '1.0~rc2'],
  ['1.0~~', '1.0~'],
  ['1.0', '1.0^'], // caret: a post-release snapshot
  ['1.0^', '1.0.1'],
  ['1.0^git1', '1.0^git2'],
  ['1.0~rc1^git1', '1.0~rc1.1'],
  ['1.a', '1.1'], // digits beat letters
  ['1a', '1.1'],
  ['1.9', '1.10'],
  ['2.0-1', '2.0-2'],
  ['2.0', '2.0-1'], // no release sorts below any release
  ['2.0-1.el8', '2.0-1.el9'],
  ['9.9', '1:0.1'],
  ['1.0a', '1.0b'],
  ['1.0.1', '1.0.1a'],
  ['1.18446744073709551615', '1.18446744073709551616'],
  ['5.0-1.fc38', '5.0-1.fc38.1'],
];

const equal: [string, string][] = [
  ['1.01', '1.1'],
  ['1.0', '1_0'], // separators are only separators
  ['1..0', '1.0'],
  ['0:1.0-1', '1.0-1'],
  ['00:1.0', '1.0'],
  ['1.0+', '1.0'],
  ['%{version}', '%{?version}'], // an unexpanded macro is letters between separators
  ['..', '__'], // nothing but separators
  [':1.0', '0:1.0'], // an empty epoch is epoch 0
  ['1.0 beta', '1.0.beta'],
];

// rpmvercmp gives every string a place; only the empty string, control characters and our
// length cap are refused, and an empty
// version part (rpmverNew refuses it).
const invalid = ['', '-1', '1:', ':-1', '1.0\u0000', '1.0\n', 'x'.repeat(1000)];

export const RPM_TABLE: SchemeTable = { ascending, equal, invalid };
