/**
 * The UI's read models on both stores: paging, sorting and filtering of the images table, the
 * finding counts kept by the generated column, the overview's aggregates, and account scoping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import { seedImages } from '../test-support/portfolio-seed.js';
import { createServiceStore } from './index.js';
import { PortfolioRepository } from './portfolio.js';
import { createSecretBox } from './secret-box.js';

afterAll(() => stopSharedPostgres());

describe.each(STORE_KINDS)('portfolio read models on %s', (kind) => {
  let database: TestDatabase;
  let portfolio: PortfolioRepository;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const store = createServiceStore(database.db, createSecretBox(Buffer.alloc(32, 1)));
    for (const name of ['team-a', 'team-b']) await store.accounts.create({ name, type: 'user' });
    await seedImages(database.db, 'team-a', 120);
    await seedImages(database.db, 'team-b', 5, 1000);
    portfolio = new PortfolioRepository(database.db);
  });
  afterAll(() => database?.stop());

  const page = (q: Partial<Parameters<PortfolioRepository['images']>[1]> = {}) =>
    portfolio.images('team-a', { sort: 'analyzed', desc: true, offset: 0, limit: 50, ...q });

  it('pages the account images newest first, with the total of the account only', async () => {
    const first = await page();
    expect(first.total).toBe(120);
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]!.digest).toBe(`sha256:${'1'.padStart(64, '0')}`);
    const last = await page({ offset: 100 });
    expect(last.rows).toHaveLength(20);
    const all = [...first.rows, ...(await page({ offset: 50 })).rows, ...last.rows].map((r) => r.digest);
    expect(new Set(all).size).toBe(120);
    expect(all.some((d) => d.endsWith(Number(1001).toString(16)))).toBe(false);
  });

  it('counts open findings by severity, fixable and KEV from the generated column', async () => {
    const [row] = (await page({ limit: 1 })).rows;
    // Image 1's 12 findings take severities (1 + k) % 6 for k = 1..12: two of each.
    expect(row!.counts).toEqual({
      critical: 2,
      high: 2,
      medium: 2,
      low: 4,
      unknown: 2,
      fixable: 8,
      kev: 1,
      total: 12,
    });
    expect(await portfolio.totals('team-a')).toMatchObject({
      critical: 240,
      total: 1440,
      fixable: 960,
      kev: 120,
    });
    const kev = await portfolio.kevFindings('team-a', 5);
    expect(kev).toHaveLength(5);
    expect(kev.every((k) => k.pkg === 'pkg1')).toBe(true);
  });

  it('filters by text and verdict, sorts by verdict and repository', async () => {
    const text = await page({ text: 'team7/app7:' });
    expect(text.rows.map((r) => r.repo)).toEqual(['team7/app7']);
    const failing = await page({ verdict: 'fail', limit: 100 });
    expect(failing.total).toBe(30);
    expect(failing.rows.every((r) => r.verdict === 'fail')).toBe(true);
    const byVerdict = await page({ sort: 'verdict', desc: false, limit: 1 });
    expect(byVerdict.rows[0]!.verdict).toBe('fail');
    const byRepo = await page({ sort: 'repo', desc: false, limit: 2 });
    expect(byRepo.rows.map((r) => r.repo)).toEqual(['team0/app100', 'team0/app50']);
    expect(await portfolio.verdicts('team-a')).toEqual({ pass: 90, fail: 30, none: 0 });
  });

  it('draws findings over time from the images analysed by each day', async () => {
    const days = await portfolio.overTime('team-a', 7);
    expect(days).toHaveLength(7);
    expect(days[6]).toMatchObject({ critical: 240, high: 240 });
  });
});
