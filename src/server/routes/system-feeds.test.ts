import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alpineSecdbDriver } from '../../core/advisories/feeds/alpine-secdb/index.js';
import { kevDriver } from '../../core/advisories/feeds/kev/index.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS } from '../../../test/harness/databases.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';

interface Group {
  name: string;
  last_sync: string | null;
  record_count: number;
  enabled: boolean;
}

describe.each(STORE_KINDS)('GET /v1/system/feeds on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
    const outcomes = await updateFeeds(
      new VulnerabilityStore(api.database.db),
      [alpineSecdbDriver, kevDriver],
      {
        mode: { mirrorDir: SHARED_DATA },
      },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['updated', 'updated']);
  }, 600_000);
  afterAll(() => api?.close());

  it('lists one group per advisory namespace and one per enrichment source, with counts and syncs', async () => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/system/feeds' });
    expect(res.statusCode).toBe(200);
    const [feed, ...others] = res.json() as { name: string; last_full_sync: string; groups: Group[] }[];
    expect(others).toEqual([]);
    expect(feed!.name).toBe('vulnerabilities');
    expect(feed!.last_full_sync).toMatch(/Z$/);
    const names = feed!.groups.map((g) => g.name);
    expect(names.filter((n) => n.startsWith('alpine:')).length).toBeGreaterThan(1);
    expect(names).toContain('kev');
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    for (const g of feed!.groups) {
      expect(g.record_count).toBeGreaterThan(0);
      expect(g.last_sync).toMatch(/Z$/);
      expect(g.enabled).toBe(true);
    }
    // The groups add up to the feeds' records.
    const status = await new VulnerabilityStore(api.database.db).status();
    const total = status.reduce((n, s) => n + s.records, 0);
    expect(feed!.groups.reduce((n, g) => n + g.record_count, 0)).toBe(total);
  });
});
