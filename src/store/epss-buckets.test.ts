/**
 * EPSS scores packed in CVE buckets (migration 5) answer exactly what the feed emitted: for
 * every CVE of the real EPSS file, and after migrating a database that stored one row per CVE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpssRecord } from '../core/advisories/model.js';
import { epssDriver } from '../core/advisories/feeds/epss/index.js';
import { syncFeed } from '../core/advisories/sync.js';
import { SHARED_DATA } from '../../test/support/shared-data.js';
import { epssBucket } from './epss-buckets.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { openPglite, type Sql } from './sql.js';
import { updateFeeds } from './update-feeds.js';
import { VulnerabilityStore } from './vulnerability-store.js';

async function feedScores(): Promise<EpssRecord[]> {
  const scores: EpssRecord[] = [];
  await syncFeed(epssDriver, { mode: { mirrorDir: SHARED_DATA } }, (record) => {
    if (record.kind === 'epss') scores.push(record.epss);
  });
  return scores;
}

/** What the store answers for every CVE of `expected`, in the same order. */
async function storedScores(db: Sql, expected: readonly EpssRecord[]): Promise<(EpssRecord | undefined)[]> {
  const enrichment = await new VulnerabilityStore(db).enrichment(expected.map((e) => e.cve));
  return expected.map((e) => enrichment.get(e.cve)?.epss);
}

describe('EPSS scores packed by CVE bucket', () => {
  let scores: EpssRecord[];
  let db: Sql;

  beforeAll(async () => {
    scores = await feedScores();
    db = await openPglite();
  });
  afterAll(async () => db?.close());

  it('answers the score of every CVE of the real EPSS file exactly as the feed gave it', async () => {
    expect(scores.length).toBeGreaterThan(100_000);
    await migrate(db);
    const outcomes = await updateFeeds(new VulnerabilityStore(db), [epssDriver], {
      mode: { mirrorDir: SHARED_DATA },
    });
    expect(outcomes.map((o) => o.status)).toEqual(['updated']);
    expect(await storedScores(db, scores)).toEqual(scores);
    const { rows } = await db.query<{ n: number }>('SELECT count(DISTINCT bucket)::int AS n FROM epss');
    expect(rows[0]?.n).toBe(new Set(scores.map((s) => epssBucket(s.cve))).size);
    // A CVE without a score in a bucket that has others gets none.
    const missing = `${epssBucket(scores[0]?.cve as string)}x`;
    expect((await new VulnerabilityStore(db).enrichment([missing])).get(missing)?.epss).toBeUndefined();
  });

  it('migration 5 packs the scores a database stored one row per CVE', async () => {
    const old = await openPglite();
    try {
      await migrate(
        old,
        MIGRATIONS.filter((m) => m.id <= 4),
      );
      const sample = scores.filter((_, i) => i % 7 === 0);
      await old.exec(
        "CREATE TABLE epss_old_rows (LIKE epss); ALTER TABLE epss ATTACH PARTITION epss_old_rows FOR VALUES IN ('epss')",
      );
      await old.query(
        `INSERT INTO epss (source, cve, epss, percentile)
         SELECT 'epss', cve, epss, percentile FROM json_to_recordset($1::json) AS t(cve text, epss real, percentile real)`,
        [JSON.stringify(sample)],
      );
      await migrate(old);
      expect(await storedScores(old, sample)).toEqual(sample);
    } finally {
      await old.close();
    }
  });
});
