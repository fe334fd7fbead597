/**
 * OSV lists affected versions beside its ranges, and OSV.dev enumerates that list from the
 * ranges, so nearly every listed version already lies inside a range (140,948 of the 141,071
 * in the shared snapshot). A package is affected when its version lies in a range or equals a
 * listed one by the scheme's ordering; versions that compare equal lie in the same ranges, so
 * a listed version inside a range of the same scheme decides nothing. Dropping those at import
 * keeps the decision identical while the store holds, and every match reads and walks, a
 * third fewer bytes for those records.
 */
import type { Advisory } from './model.js';
import { isAffected } from '../versioning/osv-events.js';
import { isSchemeId, schemeFor } from '../versioning/registry.js';

/** The listed versions no range of the advisory's own scheme covers (kept in their order). */
export function versionsOutsideRanges(advisory: Advisory): string[] {
  if (advisory.versions.length === 0 || advisory.ranges.length === 0) return advisory.versions;
  if (!isSchemeId(advisory.versionScheme)) return advisory.versions;
  const scheme = schemeFor(advisory.versionScheme);
  // A SEMVER range is ordered by semver, which may not agree with the advisory's scheme on
  // which versions are equal (Go's "v" prefix): such ranges vouch for nothing here.
  const ranges = advisory.ranges.filter((r) => (r.type === 'SEMVER' ? 'semver' : scheme.id) === scheme.id);
  return advisory.versions.filter((version) => {
    try {
      return !(scheme.isValid(version) && ranges.some((r) => isAffected(scheme, version, r.events)));
    } catch {
      return true; // undecidable here: keep it, matching compares it verbatim
    }
  });
}
