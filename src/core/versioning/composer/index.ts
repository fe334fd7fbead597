/**
 * Composer (PHP) versions and constraints, ordered as composer/semver orders them. Its
 * Comparator ranks a branch (`dev-main`) below every numbered version and calls two different
 * branches neither less, equal nor greater; we keep a total order by ranking two branches with
 * version_compare and, where it ties, by name. As in composer, a branch satisfies no range
 * except `!=`.
 */
import type { VersionScheme } from '../types.js';
import { matchesConstraint, parseComposerConstraint } from './constraint.js';
import { invalidVersion } from '../invalid.js';
import { isBranch, tryNormalize } from './normalize.js';
import { phpVersionCompare } from './php-version-compare.js';

export { normalizeComposer } from './normalize.js';

function isValid(version: string): boolean {
  return tryNormalize(version) !== undefined;
}

function compareNormalized(a: string, b: string): number {
  if (a === b) return 0;
  const order = phpVersionCompare(a, b);
  if (order !== 0 || !isBranch(a) || !isBranch(b)) return order;
  return a < b ? -1 : 1;
}

/** The normalized form (`1.2.0.0-beta1`), or INVALID_VERSION. */
function normalized(version: string): string {
  const out = isValid(version) ? tryNormalize(version) : undefined;
  if (out === undefined) {
    throw invalidVersion(
      'composer',
      version,
      'not a Composer version, branch (dev-main, 1.x-dev) or alias (1.0.0 as 2.0)',
    );
  }
  return out;
}

export const composer: VersionScheme = {
  id: 'composer',
  isValid,
  compare: (a, b) => compareNormalized(normalized(a), normalized(b)),
  satisfies: (version, range) => matchesConstraint(normalized(version), parseComposerConstraint(range)),
};
