/**
 * Composer's VersionParser::normalize (composer/semver 3): `v1.2` → `1.2.0.0`, stability
 * suffixes expanded (`-b2` → `-beta2`, `-p1` → `-patch1`, `rc` → `RC`), `+build` dropped, date
 * versions (`2010-01-02`) dotted. Branches too: `dev-<branch>` stays a branch (`master`,
 * `trunk` and `default` become `dev-master`, ...), numbered branch aliases `1.x-dev` and
 * `1.0.*-dev` become `1.9999999.9999999.9999999-dev` and `1.0.9999999.9999999-dev`, and an
 * inline alias `1.0.0 as 2.0` is the version before `as`.
 */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';

// composer/semver writes the number part as `((?:[.-]?\d+)*+)?`; JavaScript has no possessive
// quantifiers, and without one a long digit run backtracks exponentially. This form matches the
// same strings (what follows can never start with a digit) in linear time.
export const MODIFIER =
  '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+(?:[.-]\\d+)*)?))?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)$/i;
// PCRE without the u flag: \s is ASCII whitespace, and only spaces surround `as`.
const INLINE_ALIAS = /^([^,\t\n\v\f\r ]+) +as +[^,\t\n\v\f\r ]+$/;
const NUMBERED_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
// PHP's trim(): space, \t, \n, \r, NUL and \v, nothing else.
const PHP_TRIM = /^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g;

export const isBranch = (normalized: string): boolean => normalized.startsWith('dev-');

/** VersionParser::normalizeBranch for the part before `-dev`: only numbered branches qualify. */
function numberedBranch(name: string): string | undefined {
  const m = NUMBERED_BRANCH.exec(name.replace(PHP_TRIM, ''));
  if (m === null) return undefined;
  const parts = [1, 2, 3, 4].map((i) => (m[i] ?? '.x').replace(/[*X]/g, 'x'));
  return `${parts.join('').replace(/x/g, '9999999')}-dev`;
}

function expandStability(stability: string): string {
  const s = stability.toLowerCase();
  return { a: 'alpha', b: 'beta', p: 'patch', pl: 'patch', rc: 'RC' }[s] ?? s;
}

export function tryNormalize(input: string): string | undefined {
  if (input.length > MAX_VERSION_LENGTH) return undefined;
  let version = input.replace(PHP_TRIM, '');
  version = INLINE_ALIAS.exec(version)?.[1] ?? version;
  version = version.replace(STABILITY_FLAG, '');
  if (['master', 'trunk', 'default'].includes(version)) return `dev-${version}`;
  if (/^dev-/i.test(version)) return `dev-${version.slice(4)}`;
  const build = /^([^,\s+]+)\+\S+$/.exec(version);
  if (build) version = build[1] as string;
  let m = CLASSICAL.exec(version);
  let index: number;
  if (m !== null) {
    version = `${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`;
    index = 5;
  } else {
    m = DATE.exec(version);
    if (m === null) {
      const branch = /^(.*?)[.-]?dev$/i.exec(version);
      return branch === null ? undefined : numberedBranch(branch[1] as string);
    }
    version = (m[1] as string).replace(/\D/g, '.');
    index = 2;
  }
  const stability = m[index];
  if (stability) {
    if (stability === 'stable') return version;
    version += `-${expandStability(stability)}${(m[index + 1] ?? '').replace(/^[.-]+/, '')}`;
  }
  if (m[index + 2]) version += '-dev';
  return version;
}

export function normalizeComposer(input: string): string {
  const out = tryNormalize(input);
  if (out === undefined)
    throw invalidVersion(
      'composer',
      input,
      'not a Composer version, branch (dev-main, 1.x-dev) or alias (1.0.0 as 2.0)',
    );
  return out;
}
