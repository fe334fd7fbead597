/**
 * EPSS scores packed in CVE buckets (migration 5) answer exactly what the feed emitted: for
 * every CVE of the real EPSS file, and after migrating a database that stored one row per CVE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpssRecord } from '../core/advisories/model.js';
import { epssDriver } from '../core/advisories/feeds/epss/index.js';
import { syncFeed } from '../core/advisories/sync.js';
import { SHARED_DATA } from '../../test/support/shared-data.js';
import { epssBucket, pickEpss, unpackEpss } from './epss-buckets.js';
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

/**
 * What the store answers for every CVE of `expected`, in the same order; a store that remembers
 * and a one-off store (which reads the buckets without parsing them) must answer alike.
 */
async function storedScores(db: Sql, expected: readonly EpssRecord[]): Promise<(EpssRecord | undefined)[]> {
  const cves = expected.map((e) => e.cve);
  const enrichment = await new VulnerabilityStore(db).enrichment(cves);
  const oneOff = await new VulnerabilityStore(db, { remember: false }).enrichment(cves);
  const answers = expected.map((e) => enrichment.get(e.cve)?.epss);
  expect(expected.map((e) => oneOff.get(e.cve)?.epss)).toEqual(answers);
  return answers;
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

describe('pickEpss', () => {
  it('finds exactly the quoted id, in either JSON spelling, the last row of a bucket winning', () => {
    const lines = [
      'CVE-2024-1234\t{"CVE-2024-12340":[0.1,0.5],"CVE-2024-12345":[1e-05,0.25]}',
      'CVE-2024-123\t{ "CVE-2024-1230" : [0.00043, 0.1], "CVE-2024-1231" : [0.2, 0.9] }',
      'CVE-2024-1234\t{"CVE-2024-12345":[0.3,0.75]}',
    ].join('\n');
    expect(pickEpss(lines, ['CVE-2024-12345', 'CVE-2024-1230', 'CVE-2024-123', 'CVE-2024-12349'])).toEqual([
      { cve: 'CVE-2024-12345', epss: 0.3, percentile: 0.75 },
      { cve: 'CVE-2024-1230', epss: 0.00043, percentile: 0.1 },
    ]);
    // The same answers as parsing the buckets.
    const rows = lines.split('\n').map((l) => l.slice(l.indexOf('\t') + 1));
    const parsed = new Map(unpackEpss(rows).map((r) => [r.cve, r]));
    for (const r of pickEpss(lines, parsed.keys())) expect(r).toEqual(parsed.get(r.cve));
  });
});
