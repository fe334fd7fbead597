/**
 * Incremental re-matching: after a feed update, only packages whose lookup keys (namespace,
 * package name) had advisories added, changed or removed are matched again (the store reports
 * those keys from `replaceFeed`); every other finding is kept as it was.
 */
import type { SbomDocument } from '../sbom/document.js';
import { SEVERITY_ORDER, type AdvisorySource, type Finding } from './types.js';
import { matchSbom, type MatchOptions, type MatchResult } from './match.js';
import { lookupsFor } from './namespaces.js';

export interface PackageKey {
  namespace: string;
  packageName: string;
}

export interface RematchResult extends MatchResult {
  /** Ids of the packages that were matched again. */
  rematched: string[];
}

/**
 * The changed keys as text, made once per key list: a re-match passes the same list for each of
 * thousands of images, and making the set for each was most of this function's time. A key
 * list is not changed once passed.
 */
const keySets = new WeakMap<readonly PackageKey[], ReadonlySet<string>>();

function keySet(keys: readonly PackageKey[]): ReadonlySet<string> {
  let set = keySets.get(keys);
  if (!set) keySets.set(keys, (set = new Set(keys.map((k) => `${k.namespace}\u0000${k.packageName}`))));
  return set;
}

export async function rematchChanged(
  doc: SbomDocument,
  previous: readonly Finding[],
  source: AdvisorySource,
  changedKeys: readonly PackageKey[],
  options: MatchOptions = {},
): Promise<RematchResult> {
  const changed = keySet(changedKeys);
  const touched = doc.packages.filter((p) =>
    lookupsFor(p, doc.distro).some((l) => changed.has(`${l.namespace}\u0000${l.packageName}`)),
  );
  const touchedIds = new Set(touched.map((p) => p.id));
  const partial =
    touched.length > 0
      ? await matchSbom({ ...doc, packages: touched }, source, options)
      : { findings: [], problems: [], packagesLookedUp: 0, advisoriesConsidered: 0 };
  const findings = [...previous.filter((f) => !touchedIds.has(f.package.id)), ...partial.findings].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity) ||
      a.package.name.localeCompare(b.package.name) ||
      a.id.localeCompare(b.id),
  );
  return { ...partial, findings, rematched: [...touchedIds] };
}
