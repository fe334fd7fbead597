/**
 * Decides whether one advisory covers one installed version, and says why: the explicit
 * version or the range that contains it, and the scheme that ordered the versions.
 */
import type { Advisory, AffectedRange } from '../advisories/model.js';
import { isSchemeId, schemeFor } from '../versioning/registry.js';
import { isAffected } from '../versioning/osv-events.js';
import type { VersionScheme } from '../versioning/types.js';

export type AffectedDecision =
  | { affected: true; range?: AffectedRange; matchedVersion?: string; scheme: string }
  | { affected: false; reason?: 'not-affected' | 'outside-ranges' }
  | { affected: false; reason: 'no-scheme' | 'invalid-version'; detail: string };

function schemeOf(advisory: Advisory, range: AffectedRange | undefined): VersionScheme | string {
  const id = range?.type === 'SEMVER' ? 'semver' : advisory.versionScheme;
  return isSchemeId(id) ? schemeFor(id) : id;
}

export function decide(advisory: Advisory, version: string): AffectedDecision {
  if (advisory.notAffected) return { affected: false, reason: 'not-affected' };
  const base = schemeOf(advisory, undefined);
  if (advisory.versions.length > 0) {
    const exact = advisory.versions.find((v) => {
      if (v === version) return true;
      if (typeof base === 'string') return false;
      try {
        return base.isValid(v) && base.isValid(version) && base.compare(v, version) === 0;
      } catch {
        return false;
      }
    });
    if (exact !== undefined)
      return { affected: true, matchedVersion: exact, scheme: typeof base === 'string' ? base : base.id };
  }
  let failure: AffectedDecision | undefined;
  for (const range of advisory.ranges) {
    const scheme = schemeOf(advisory, range);
    if (typeof scheme === 'string') {
      failure = { affected: false, reason: 'no-scheme', detail: `no ${scheme} version scheme` };
      continue;
    }
    try {
      if (isAffected(scheme, version, range.events)) return { affected: true, range, scheme: scheme.id };
    } catch (err) {
      failure = { affected: false, reason: 'invalid-version', detail: (err as Error).message };
    }
  }
  return failure ?? { affected: false, reason: 'outside-ranges' };
}
