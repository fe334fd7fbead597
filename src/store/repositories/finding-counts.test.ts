/**
 * The finding counts the writers store beside the findings (ADR 0033) are the ones
 * `ui_finding_counts` computes from them, after every path that writes `analysis.findings`, on
 * both stores: the UI sorts and filters the images table on them, and no database computes them
 * any more. The re-match's bulk write copies the findings it kept from the stored row: the
 * result is the same JSON as the findings asked for.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import type { Finding } from '../../core/matching/types.js';
import { fleet, storeInBulk, storeOneByOne } from '../test-support/monitor-fleet.js';
import { seedImages } from '../test-support/portfolio-seed.js';
import { syntheticAnalysis, type SyntheticFinding } from '../test-support/synthetic-analysis.js';
import { getAnalyses, replaceFindingsMany } from './analyses-bulk.js';
import { findingCounts } from './finding-counts.js';
import { createServiceStore, type ServiceStore } from './index.js';
import { createSecretBox } from './secret-box.js';

afterAll(() => stopSharedPostgres());

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const PACKAGES = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, version: '1.0-1', source: name }));
const KEV = {
  cve: 'CVE-2099-0001',
  dateAdded: '2026-01-01',
  dueDate: '2026-02-01',
  knownRansomware: false,
  vendor: 'v',
  product: 'p',
};

/** Findings of every kind the counts tell apart; `shift` varies them between writes. */
function findingsOf(d: string, shift: number): Finding[] {
  const severities = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;
  const synthetic: SyntheticFinding[] = PACKAGES.map((p, i) => ({
    id: `CVE-2099-${shift}${i}`,
    package: p.name,
    severity: severities[(i + shift) % severities.length]!,
    ...(i % 2 === 0 ? { fixedIn: '2.0-1' } : {}),
    ...(i % 3 === 1 ? { wontFix: true } : {}),
    ...((i + shift) % 4 === 3 ? { suppressed: true } : {}),
  }));
  return syntheticAnalysis(d, PACKAGES, synthetic).findings.map((f, i) =>
    (i + shift) % 3 === 0 ? { ...f, kev: KEV } : f,
  );
}

const analysisOf = (d: string, shift: number) => ({
  ...syntheticAnalysis(d, PACKAGES),
  findings: findingsOf(d, shift),
});

describe.each(STORE_KINDS)('finding counts written with the findings on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;

  /** The analyses whose stored counts are not what the database's own definition gives. */
  const disagreeing = async () =>
    (
      await database.db.query<{ image_digest: string }>(
        `SELECT image_digest FROM analysis WHERE finding_counts IS DISTINCT FROM ui_finding_counts(findings::jsonb)`,
      )
    ).rows.map((r) => r.image_digest);
  const stored = async (d: string) =>
    (
      await database.db.query<{ c: unknown }>(
        'SELECT finding_counts AS c FROM analysis WHERE image_digest = $1',
        [d],
      )
    ).rows[0]?.c;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'team', type: 'user' });
  });
  afterAll(() => database?.stop());

  it('are a column the writers fill, never null', async () => {
    const { rows } = await database.db.query<{ is_generated: string; is_nullable: string }>(
      `SELECT is_generated, is_nullable FROM information_schema.columns
       WHERE table_name = 'analysis' AND column_name = 'finding_counts'`,
    );
    expect(rows).toEqual([{ is_generated: 'NEVER', is_nullable: 'NO' }]);
  });

  it('count as ui_finding_counts does, whatever the findings hold', async () => {
    const cases: unknown[] = [
      [],
      {},
      'not findings',
      [{}],
      [{ severity: null }, { severity: 'Unknown' }, { severity: 'Critical', suppressed: null }],
      [
        { severity: 'critical' },
        { severity: 7 },
        { kev: null },
        { fixState: 'fixed', severity: 'Negligible' },
      ],
      [{ severity: 'High', suppressed: undefined, kev: undefined }, 3, null],
      ...[0, 1, 2, 3, 4, 5].map((shift) => findingsOf(digest('0'), shift)),
    ];
    for (const findings of cases) {
      const { rows } = await database.db.query<{ c: unknown }>('SELECT ui_finding_counts($1::jsonb) AS c', [
        JSON.stringify(findings),
      ]);
      expect(findingCounts(findings), JSON.stringify(findings)).toEqual(rows[0]!.c);
    }
  });

  it('agree with the findings after a save, a forced re-analysis and a one-digest replace', async () => {
    const [D1, D2] = [digest('1'), digest('2')];
    await store.analyses.save(analysisOf(D1, 0));
    await store.analyses.save(analysisOf(D2, 1));
    expect(await stored(D1)).toEqual(findingCounts(findingsOf(D1, 0)));
    await store.analyses.save(analysisOf(D1, 2), undefined, { replace: true });
    expect(await stored(D1)).toEqual(findingCounts(findingsOf(D1, 2)));
    await store.analyses.replaceFindings(D2, findingsOf(D2, 3));
    expect(await stored(D2)).toEqual(findingCounts(findingsOf(D2, 3)));
    expect(await disagreeing()).toEqual([]);
  });

  it('agree with the findings after the re-match replaced many at once', async () => {
    const [D3, D4, D5] = [digest('3'), digest('4'), digest('5')];
    for (const [i, d] of [D3, D4, D5].entries()) await store.analyses.save(analysisOf(d, i));
    const revs = new Map(
      (
        await database.db.query<{ image_digest: string; r: string }>(
          'SELECT image_digest, findings_rev::text AS r FROM analysis WHERE image_digest = ANY($1::text[])',
          [[D3, D4, D5]],
        )
      ).rows.map((r) => [r.image_digest, r.r] as const),
    );
    await replaceFindingsMany(database.db, [
      {
        imageDigest: D3,
        findings: findingsOf(D3, 4),
        before: { findings: findingsOf(D3, 0), rev: revs.get(D3)! },
      },
      { imageDigest: D4, findings: [], before: { findings: findingsOf(D4, 1), rev: revs.get(D4)! } },
      { imageDigest: D5, findings: findingsOf(D5, 5) },
    ]);
    expect(await stored(D3)).toEqual(findingCounts(findingsOf(D3, 4)));
    expect(await stored(D4)).toEqual(findingCounts([]));
    expect(await stored(D5)).toEqual(findingCounts(findingsOf(D5, 5)));
    expect(await disagreeing()).toEqual([]);
  });

  it('keep the findings the re-match kept from the stored row, in the new order, among fresh ones', async () => {
    const D6 = digest('6');
    await store.analyses.save(analysisOf(D6, 0));
    const [read] = await getAnalyses(database.db, [D6]);
    const before = read!.findings as Finding[];
    // Kept objects (copied by the database from the stored row) between fresh ones, reordered.
    const fresh = findingsOf(D6, 1);
    const after = [fresh[0]!, before[4]!, before[0]!, fresh[3]!, before[0]!, before[5]!, fresh[5]!];
    expect(
      await replaceFindingsMany(database.db, [
        { imageDigest: D6, findings: after, before: { findings: before, rev: read!.findingsRev } },
      ]),
    ).toEqual([D6]);
    const { rows } = await database.db.query<{ same: boolean }>(
      'SELECT findings::jsonb::text = $2::jsonb::text AS same FROM analysis WHERE image_digest = $1',
      [D6, JSON.stringify(after)],
    );
    expect(rows).toEqual([{ same: true }]);
    expect((await store.analyses.get(D6))!.findings).toEqual(after);
    expect(await stored(D6)).toEqual(findingCounts(after));
    // Nothing fresh, nothing left: the empty list, not null.
    const [again] = await getAnalyses(database.db, [D6]);
    await replaceFindingsMany(database.db, [
      {
        imageDigest: D6,
        findings: [],
        before: { findings: again!.findings as Finding[], rev: again!.findingsRev },
      },
    ]);
    expect((await store.analyses.get(D6))!.findings).toEqual([]);
    expect(await disagreeing()).toEqual([]);
  });

  it('agree with the findings of the seeded fleets and portfolios', async () => {
    const images = [...fleet(40)];
    for (const image of images.slice(0, 5)) await storeOneByOne(store, 'team', image);
    await storeInBulk(database.db, 'team', images.slice(5));
    await store.accounts.create({ name: 'portfolio', type: 'user' });
    await seedImages(database.db, 'portfolio', 30, 1_000);
    const { rows } = await database.db.query<{ n: number; findings: number }>(
      `SELECT count(*)::int AS n, sum(json_array_length(findings))::int AS findings FROM analysis`,
    );
    expect(rows[0]!.n).toBeGreaterThan(70);
    expect(rows[0]!.findings).toBeGreaterThan(0);
    expect(await disagreeing()).toEqual([]);
  });
});
