/** The cpe_config table through VulnerabilityStore.replaceFeed: product index, replacement, rollback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CpeConfigRecord } from '../core/advisories/model.js';
import { productsOf } from './cpe-store.js';
import { migrate } from './migrate.js';
import { openPglite, type Sql } from './sql.js';
import { VulnerabilityStore } from './vulnerability-store.js';

describe('cpe_config rows across feed replacements', () => {
  let db: Sql;
  let store: VulnerabilityStore;
  const freshness = {
    driver: 'nvd',
    lastSync: '2026-01-01T00:00:00.000Z',
    records: 1,
    sourceVersion: 'x',
    changed: true,
  };
  const record = (cve: string, criteria: string): CpeConfigRecord => ({
    cve,
    configurations: [
      {
        operator: 'OR',
        nodes: [{ operator: 'OR', negate: false, cpeMatch: [{ vulnerable: true, criteria }], children: [] }],
      },
    ],
  });
  const stored = async (): Promise<string[]> =>
    (await db.query<{ cve: string }>('SELECT cve FROM cpe_config ORDER BY cve')).rows.map((r) => r.cve);

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    store = new VulnerabilityStore(db);
  });
  afterAll(async () => db?.close());

  it('indexes each configuration under the unescaped products of its vulnerable criteria', () => {
    const r = record('CVE-2000-0001', 'cpe:2.3:a:acme:Foo\\.Bar:*:*:*:*:*:*:*:*');
    r.configurations[0]?.nodes[0]?.cpeMatch.push(
      { vulnerable: false, criteria: 'cpe:2.3:a:acme:platform_only:*:*:*:*:*:*:*:*' },
      { vulnerable: true, criteria: 'cpe:2.3:o:acme:os:*:*:*:*:*:*:*:*' },
    );
    expect(productsOf(r)).toEqual(['foo.bar']);
  });

  it('a replacement keeps only the new configurations; one with none clears them', async () => {
    const criteria = 'cpe:2.3:a:acme:foo:*:*:*:*:*:*:*:*';
    await store.replaceFeed('nvd', async (sink) => {
      await sink({ kind: 'cpe-config', cpe: record('CVE-2000-0001', criteria) });
      await sink({ kind: 'cpe-config', cpe: record('CVE-2000-0002', criteria) });
      return { freshness };
    });
    expect(await stored()).toEqual(['CVE-2000-0001', 'CVE-2000-0002']);
    await store.replaceFeed('nvd', async (sink) => {
      await sink({ kind: 'cpe-config', cpe: record('CVE-2000-0003', criteria) });
      return { freshness };
    });
    expect(await stored()).toEqual(['CVE-2000-0003']);
    expect((await store.cpeConfigsFor(['foo'])).map((r) => r.cve)).toEqual(['CVE-2000-0003']);
    expect(await store.cpeConfigsFor(['bar'])).toEqual([]);
    await store.replaceFeed('nvd', () => Promise.resolve({ freshness }));
    expect(await stored()).toEqual([]);
  });

  it('a feed that fails half-way leaves the previous configurations intact', async () => {
    const criteria = 'cpe:2.3:a:acme:foo:*:*:*:*:*:*:*:*';
    await store.replaceFeed('nvd', async (sink) => {
      await sink({ kind: 'cpe-config', cpe: record('CVE-2000-0004', criteria) });
      return { freshness };
    });
    await expect(
      store.replaceFeed('nvd', async (sink) => {
        await sink({ kind: 'cpe-config', cpe: record('CVE-2000-0005', criteria) });
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    expect(await stored()).toEqual(['CVE-2000-0004']);
  });
});
