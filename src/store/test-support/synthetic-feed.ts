/**
 * Loads hand-written advisories as one feed source through the real import path
 * (VulnerabilityStore.replaceFeed), for tests and benchmarks of queries and re-matching.
 * Returns the (namespace, package) keys the import changed, as a feed sync reports them.
 */
import type { Advisory } from '../../core/advisories/model.js';
import type { PackageKey, VulnerabilityStore } from '../vulnerability-store.js';

export interface SyntheticAdvisory {
  id: string;
  aliases?: string[];
  /** `debian:12` (deb scheme) or `osv:npm` (semver). */
  namespace: string;
  packageName: string;
  /** Affected below this version; omitted = every version, not fixed. */
  fixed?: string;
  severity?: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  wontFix?: boolean;
}

export function syntheticAdvisory(a: SyntheticAdvisory): Advisory {
  const deb = a.namespace.startsWith('debian:');
  return {
    id: a.id,
    aliases: a.aliases ?? [],
    namespace: a.namespace,
    packageName: a.packageName,
    versionScheme: deb ? 'deb' : 'semver',
    ranges: [
      {
        type: 'ECOSYSTEM',
        events: [{ introduced: '0' }, ...(a.fixed ? [{ fixed: a.fixed }] : [])],
      },
    ],
    versions: [],
    fixedVersions: a.fixed ? [a.fixed] : [],
    fixState: a.wontFix ? 'wont-fix' : a.fixed ? 'fixed' : 'not-fixed',
    severities: [{ source: 'synthetic', scheme: 'label', label: a.severity ?? 'HIGH' }],
    summary: `${a.id} in ${a.packageName}`,
    references: [`https://example.test/${a.id}`],
    source: { driver: 'synthetic', file: 'synthetic.json', recordId: `${a.packageName}/${a.id}` },
  };
}

export async function loadSyntheticFeed(
  store: VulnerabilityStore,
  source: string,
  advisories: readonly SyntheticAdvisory[],
): Promise<PackageKey[]> {
  return loadAdvisories(store, source, advisories.map(syntheticAdvisory));
}

/** `loadSyntheticFeed` for advisories already in the store's model. */
export async function loadAdvisories(
  store: VulnerabilityStore,
  source: string,
  advisories: readonly Advisory[],
): Promise<PackageKey[]> {
  const { changedKeys } = await store.replaceFeed(source, async (sink) => {
    for (const advisory of advisories) await sink({ kind: 'advisory', advisory });
    return {
      freshness: {
        driver: source,
        lastSync: new Date().toISOString(),
        records: advisories.length,
        sourceVersion: `synthetic-${advisories.length}`,
        changed: true,
      },
    };
  });
  return changedKeys;
}
