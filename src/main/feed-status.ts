import type { FeedStatus } from '../server/routes/index.js';
import type { VulnerabilityStore } from '../store/vulnerability-store.js';

/** The API's view of the vulnerability data: each feed's last sync and record count. */
export function feedStatusOf(vulnerabilities: VulnerabilityStore): { status(): Promise<FeedStatus[]> } {
  return {
    status: async () =>
      (await vulnerabilities.status()).map((s) => ({
        source: s.source,
        lastSync: s.lastSync ? new Date(s.lastSync) : null,
        records: s.records,
      })),
  };
}
