/**
 * Whether an installed version falls within one NVD CPE match: either the CPE's own version
 * attribute (an exact version) or, when that is ANY, the `versionStart*`/`versionEnd*` bounds,
 * ordered by the package's version scheme. A criterion with ANY version and no bounds is NVD's
 * way of saying "every version"; it matches, and the caller lowers its confidence further.
 */
import type { CpeMatch } from '../../advisories/model.js';
import { schemeFor } from '../../versioning/registry.js';
import type { SchemeId, VersionScheme } from '../../versioning/types.js';
import type { Cpe } from './parse.js';

export type BoundsDecision = { inRange: true; unbounded: boolean } | { inRange: false; problem?: string };

/**
 * NVD writes bounds like `2.0` or `5` for npm and Cargo packages; SemVer needs three numbers.
 * Only plain numeric bounds are padded: anything else stays as written and must parse.
 */
function coerce(scheme: VersionScheme, version: string): string {
  if (scheme.id === 'semver' && /^\d+(\.\d+)?$/.test(version)) {
    return version.includes('.') ? `${version}.0` : `${version}.0.0`;
  }
  return version;
}

export function withinBounds(cpe: Cpe, match: CpeMatch, version: string, schemeId: SchemeId): BoundsDecision {
  const scheme = schemeFor(schemeId);
  if (cpe.version.kind === 'na') return { inRange: false };
  // A named update ("rc1", "sp2") is a version qualifier we cannot map onto the package's
  // own version string reliably; refusing is the conservative choice.
  if (cpe.update.kind === 'value') return { inRange: false };
  const installed = coerce(scheme, version);
  if (!scheme.isValid(installed)) {
    return {
      inRange: false,
      problem: `installed version ${JSON.stringify(version)} is not valid ${scheme.id}`,
    };
  }
  if (cpe.version.kind === 'value') {
    if (cpe.version.pattern) return { inRange: false };
    const exact = coerce(scheme, cpe.version.value);
    if (!scheme.isValid(exact))
      return { inRange: false, problem: `CPE version ${exact} is not valid ${scheme.id}` };
    return scheme.compare(installed, exact) === 0 ? { inRange: true, unbounded: false } : { inRange: false };
  }
  const bounds: [string | undefined, (c: number) => boolean][] = [
    [match.versionStartIncluding, (c) => c >= 0],
    [match.versionStartExcluding, (c) => c > 0],
    [match.versionEndIncluding, (c) => c <= 0],
    [match.versionEndExcluding, (c) => c < 0],
  ];
  let any = false;
  for (const [bound, holds] of bounds) {
    if (bound === undefined) continue;
    any = true;
    const b = coerce(scheme, bound);
    if (!scheme.isValid(b))
      return { inRange: false, problem: `bound ${JSON.stringify(bound)} is not valid ${scheme.id}` };
    if (!holds(scheme.compare(installed, b))) return { inRange: false };
  }
  return { inRange: true, unbounded: !any };
}
