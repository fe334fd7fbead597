/** Composer (PHP) versions and constraints, ordered as composer/semver orders them. */
import type { VersionScheme } from '../types.js';
import { matchesConstraint, parseComposerConstraint } from './constraint.js';
import { invalidVersion } from '../invalid.js';
import { tryNormalize } from './normalize.js';
import { phpVersionCompare } from './php-version-compare.js';

export { normalizeComposer } from './normalize.js';

function isValid(version: string): boolean {
  return version === version.trim() && tryNormalize(version) !== undefined;
}

/** The normalized form (`1.2.0.0-beta1`), or INVALID_VERSION. */
function normalized(version: string): string {
  const out = isValid(version) ? tryNormalize(version) : undefined;
  if (out === undefined) {
    throw invalidVersion(
      'composer',
      version,
      'not a Composer version (branches like dev-main are not versions)',
    );
  }
  return out;
}

export const composer: VersionScheme = {
  id: 'composer',
  isValid,
  compare: (a, b) => phpVersionCompare(normalized(a), normalized(b)),
  satisfies: (version, range) => matchesConstraint(normalized(version), parseComposerConstraint(range)),
};
