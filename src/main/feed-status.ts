import type { FeedStatus } from '../server/routes/index.js';
import { recordsByNamespace } from '../store/feed-coverage.js';
import type { Sql } from '../store/sql.js';
import type { VulnerabilityStore } from '../store/vulnerability-store.js';

/**
 * The API's view of the vulnerability data: each feed's last sync and record count, and its
 * advisory records per namespace. Counting namespaces reads every advisory, so the counts are
 * kept until a source's sync changes (the sources and their last syncs are the key).
 */
export function feedStatusOf(
  vulnerabilities: VulnerabilityStore,
  db?: Sql,
): { status(): Promise<FeedStatus[]>; withNamespaces(): Promise<FeedStatus[]> } {
  let counted:
    { key: string; bySource: Promise<Map<string, { namespace: string; records: number }[]>> } | undefined;
  const status = async (): Promise<FeedStatus[]> =>
    (await vulnerabilities.status()).map((s) => ({
      source: s.source,
      lastSync: s.lastSync ? new Date(s.lastSync) : null,
      records: s.records,
    }));
  return {
    status,
    async withNamespaces() {
      const feeds = await status();
      if (!db) return feeds;
      const key = feeds.map((f) => `${f.source}@${f.lastSync?.toISOString() ?? ''}`).join(',');
      if (counted?.key !== key) {
        const bySource = recordsByNamespace(db);
        counted = { key, bySource };
        // A failed count is not kept: the next request counts again.
        bySource.catch(() => {
          if (counted?.bySource === bySource) counted = undefined;
        });
      }
      const bySource = await counted.bySource;
      return feeds.map((f) => ({ ...f, namespaces: bySource.get(f.source) ?? [] }));
    },
  };
}
