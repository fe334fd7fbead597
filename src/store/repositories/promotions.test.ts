import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import { promotionRuleInput } from '../../core/promotion/index.js';
import { createServiceStore, type ServiceStore } from './index.js';
import type { NewPromotionRecord } from './promotions.js';
import { createSecretBox } from './secret-box.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'c'.repeat(64)}`;
const SPEC = promotionRuleInput.parse({
  name: 'app',
  source: { registry: 'reg.example:5000', repository: 'unscanned/*' },
  destination: { registry: 'reg.example:5000', repository: 'scanned/{name}' },
});

describe.each(STORE_KINDS)('promotion repository on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'team-a', type: 'user' });
    await store.accounts.create({ name: 'team-b', type: 'user' });
  });
  afterAll(() => database.stop());

  const record = (
    over: Partial<NewPromotionRecord> & { accountName: string; rule: NewPromotionRecord['rule'] },
  ): NewPromotionRecord => ({
    source: { registry: 'reg.example:5000', repository: 'unscanned/app', tag: '1', digest: DIGEST },
    destination: { registry: 'reg.example:5000', repository: 'scanned/app', tags: ['1'], digest: DIGEST },
    policy: { id: 'default', digest: `sha256:${'d'.repeat(64)}` },
    verdict: 'pass',
    outcome: 'promoted',
    reasons: [],
    trigger: { kind: 'manual', by: 'alice' },
    steps: [{ step: 'copied', at: new Date().toISOString() }],
    report: { final_action: 'go' },
    error: undefined,
    ...over,
  });

  it('keeps rules per account: create, read, update, list, delete, and finds them by source registry', async () => {
    const rule = await store.promotions.addRule('team-a', SPEC);
    expect(await store.promotions.getRule('team-b', rule.id)).toBeUndefined();
    expect((await store.promotions.getRule('team-a', rule.id))?.destination.repository).toBe(
      'scanned/{name}',
    );
    const updated = await store.promotions.updateRule('team-a', rule.id, { ...SPEC, enabled: false });
    expect(updated?.enabled).toBe(false);
    expect(await store.promotions.updateRule('team-b', rule.id, SPEC)).toBeUndefined();
    expect(await store.promotions.enabledRulesForRegistry('reg.example:5000')).toEqual([]);
    await store.promotions.updateRule('team-a', rule.id, SPEC);
    expect((await store.promotions.enabledRulesForRegistry('REG.example:5000')).map((r) => r.id)).toEqual([
      rule.id,
    ]);
    expect(await store.promotions.listRules('team-b')).toEqual([]);
    expect(await store.promotions.deleteRule('team-b', rule.id)).toBe(false);
    expect(await store.promotions.deleteRule('team-a', rule.id)).toBe(true);
  });

  it('writes audit records once per job, filters them, and refuses to change them', async () => {
    const rule = await store.promotions.addRule('team-a', SPEC);
    const first = await store.promotions.addRecord(record({ accountName: 'team-a', rule, jobId: 'job-1' }));
    expect(first?.outcome).toBe('promoted');
    expect(
      await store.promotions.addRecord(record({ accountName: 'team-a', rule, jobId: 'job-1' })),
    ).toBeUndefined();
    await store.promotions.addRecord(
      record({
        accountName: 'team-a',
        rule,
        jobId: 'job-2',
        verdict: 'fail',
        outcome: 'rejected',
        reasons: ['critical vulnerability'],
        source: { registry: 'reg.example:5000', repository: 'unscanned/other', tag: '2', digest: DIGEST },
        destination: {
          registry: 'reg.example:5000',
          repository: 'scanned/other',
          tags: [],
          digest: undefined,
        },
      }),
    );
    expect((await store.promotions.listRecords('team-a', { limit: 10 })).map((r) => r.outcome)).toEqual([
      'rejected',
      'promoted',
    ]);
    const failed = await store.promotions.listRecords('team-a', { verdict: 'fail', limit: 10 });
    expect(failed.map((r) => r.reasons)).toEqual([['critical vulnerability']]);
    expect(
      await store.promotions.listRecords('team-a', { repository: 'scanned/app', limit: 10 }),
    ).toHaveLength(1);
    expect(
      await store.promotions.listRecords('team-a', { since: new Date(Date.now() + 60_000), limit: 10 }),
    ).toEqual([]);
    expect(await store.promotions.listRecords('team-b', { limit: 10 })).toEqual([]);
    expect(await store.promotions.getRecord('team-b', first?.id ?? '')).toBeUndefined();
    await expect(
      database.db.query("UPDATE promotion_record SET outcome = 'failed' WHERE id = $1", [first?.id]),
    ).rejects.toThrow(/immutable/);
    await expect(
      database.db.query('DELETE FROM promotion_record WHERE id = $1', [first?.id]),
    ).rejects.toThrow(/immutable/);
    // Pages continue after the last record of the previous page, newest first, without overlap.
    const [newest, older] = await store.promotions.listRecords('team-a', { limit: 10 });
    const page1 = await store.promotions.listRecords('team-a', { limit: 1 });
    const page2 = await store.promotions.listRecords('team-a', { limit: 1, after: page1[0]?.id ?? '' });
    expect([page1[0]?.id, page2[0]?.id]).toEqual([newest?.id, older?.id]);
    expect(await store.promotions.listRecords('team-a', { limit: 1, after: page2[0]?.id ?? '' })).toEqual([]);
    expect((await store.promotions.promotedByDigest(DIGEST)).map((r) => r.id)).toEqual([first?.id]);
    expect(await store.promotions.lastVerdict('team-a', rule.id, DIGEST)).toBe('pass');
    // An index is found through the platform image its analysis is stored under.
    const child = `sha256:${'f'.repeat(64)}`;
    const index = await store.promotions.addRecord(
      record({
        accountName: 'team-b',
        rule,
        jobId: 'job-3',
        source: {
          registry: 'reg.example:5000',
          repository: 'unscanned/multi',
          tag: '1',
          digest: `sha256:${'9'.repeat(64)}`,
        },
        steps: [{ step: 'analysed', at: new Date().toISOString(), detail: { analysisDigest: child } }],
      }),
    );
    expect((await store.promotions.promotedByDigest(child)).map((r) => r.id)).toEqual([index?.id]);
    expect(await store.promotions.promotedByDigest(child, 'team-a')).toEqual([]);
    // Erasing an account takes its records along, and only its own.
    expect(await store.accounts.delete('team-b')).toBe(true);
    expect(await store.promotions.getRecord('team-b', index?.id ?? '')).toBeUndefined();
    expect(await store.promotions.listRecords('team-a', { limit: 10 })).toHaveLength(2);
    await expect(database.db.query('DELETE FROM promotion_record')).rejects.toThrow(/immutable/);
  });
});
