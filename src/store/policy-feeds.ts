/**
 * The vulnerability feeds as a stored analysis's policy input sees them: each feed's sync and
 * records, and which of the namespaces this image is looked up in (its distro release, the
 * ecosystems of its language packages) each feed holds. Probing only those keeps an evaluation
 * from counting every advisory, and lets `vulnerability_data_unavailable` judge the service's
 * evaluations exactly as the CLI's.
 */
import { distroNamespace } from '../core/matching/distro-namespaces.js';
import { languageNamespace } from '../core/matching/namespaces.js';
import type { FeedStatus } from '../core/policy/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import { isDistroType } from '../core/sbom/package-types.js';
import { sourcesOfNamespaces } from './feed-coverage.js';
import type { Sql } from './sql.js';
import { VulnerabilityStore } from './vulnerability-store.js';

function neededNamespaces(document: Pick<SbomDocument, 'distro' | 'packages'>): string[] {
  const needed = new Set<string>();
  const distro = document.distro ? distroNamespace(document.distro) : undefined;
  if (distro && document.packages.some((p) => isDistroType(p.type))) needed.add(distro);
  for (const p of document.packages) {
    const namespace = p.ownedBy ? undefined : languageNamespace(p.type);
    if (namespace) needed.add(namespace);
  }
  return [...needed];
}

/** `given` (the caller's feed status) or the store's, with the image's namespaces filled in. */
export async function policyFeeds(
  db: Sql,
  document: Pick<SbomDocument, 'distro' | 'packages'>,
  given?: readonly FeedStatus[],
): Promise<FeedStatus[]> {
  const feeds =
    given ??
    (await new VulnerabilityStore(db).status()).map((s) => ({
      name: s.source,
      namespaces: [],
      lastSync: new Date(s.lastSync),
      records: s.records,
    }));
  const held = await sourcesOfNamespaces(db, neededNamespaces(document));
  return feeds.map((f) => ({
    ...f,
    namespaces: [...new Set([...f.namespaces, ...(held.get(f.name) ?? [])])],
  }));
}

/**
 * `policyFeeds` for many analyses read at once (the re-match): the store's status is read once
 * and each distinct set of namespaces probed once, instead of two queries per image and tag.
 */
export function memoPolicyFeeds(
  db: Sql,
): (document: Pick<SbomDocument, 'distro' | 'packages'>) => Promise<FeedStatus[]> {
  let status: Promise<FeedStatus[]> | undefined;
  const bySet = new Map<string, Promise<FeedStatus[]>>();
  return (document) => {
    const key = neededNamespaces(document).sort().join('\n');
    let feeds = bySet.get(key);
    if (!feeds) {
      status ??= policyFeeds(db, { packages: [] });
      feeds = status.then((given) => policyFeeds(db, document, given));
      bySet.set(key, feeds);
    }
    return feeds;
  };
}
