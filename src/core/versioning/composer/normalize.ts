/**
 * Composer's VersionParser::normalize for concrete versions: `v1.2` → `1.2.0.0`,
 * stability suffixes expanded (`-b2` → `-beta2`, `-p1` → `-patch1`, `rc` → `RC`), `+build`
 * dropped, date versions (`2010-01-02`) dotted. Branch names (`dev-main`, `1.x-dev`) are not
 * versions and are rejected: they cannot be placed in an advisory's range.
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

function expandStability(stability: string): string {
  const s = stability.toLowerCase();
  return { a: 'alpha', b: 'beta', p: 'patch', pl: 'patch', rc: 'RC' }[s] ?? s;
}

export function tryNormalize(input: string): string | undefined {
  if (input.length > MAX_VERSION_LENGTH) return undefined;
  let version = input.trim();
  version = version.replace(STABILITY_FLAG, '');
  if (/^dev-/i.test(version) || ['master', 'trunk', 'default'].includes(version)) return undefined;
  const build = /^([^,\s+]+)\+\S+$/.exec(version);
  if (build) version = build[1] as string;
  let m = CLASSICAL.exec(version);
  let index: number;
  if (m !== null) {
    version = `${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`;
    index = 5;
  } else {
    m = DATE.exec(version);
    if (m === null) return undefined;
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
      'not a Composer version (branches like dev-main are not versions)',
    );
  return out;
}
