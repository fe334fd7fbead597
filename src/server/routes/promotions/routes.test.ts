import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../../test/harness/databases.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'d'.repeat(64)}`;
const RULE = {
  name: 'unscanned to scanned',
  source: { registry: 'registry.example:5000', repository: 'unscanned/*', tag: 'v*' },
  destination: { registry: 'registry.example:5000', repository: 'scanned/{name}' },
  tags: { scanned_suffix: true },
  on_failure: 'quarantine',
};

describe.each(STORE_KINDS)('promotion routes on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(() => api.close());

  it('creates, reads, updates, lists and deletes rules, with defaults filled in', async () => {
    const created = await api.call('alice', { method: 'POST', url: '/v1/promotions/rules', payload: RULE });
    expect(created.statusCode, created.body).toBe(200);
    const rule = created.json<{
      id: string;
      tags: unknown;
      on_failure: string;
      on_recheck_failure: string;
    }>();
    expect(rule).toMatchObject({
      tags: { same: true, scanned_suffix: true, digest: false },
      on_failure: 'quarantine',
      on_recheck_failure: 'notify',
      policy_id: null,
    });
    const read = await api.call('alice', { method: 'GET', url: `/v1/promotions/rules/${rule.id}` });
    expect(read.json()).toEqual(rule);
    const updated = await api.call('alice', {
      method: 'PUT',
      url: `/v1/promotions/rules/${rule.id}`,
      payload: { ...RULE, enabled: false },
    });
    expect(updated.json()).toMatchObject({ enabled: false });
    const list = await api.call('alice', { method: 'GET', url: '/v1/promotions/rules' });
    expect(list.json<unknown[]>()).toHaveLength(1);
    expect(
      (await api.call('alice', { method: 'DELETE', url: `/v1/promotions/rules/${rule.id}` })).statusCode,
    ).toBe(200);
    expect(
      (await api.call('alice', { method: 'GET', url: `/v1/promotions/rules/${rule.id}` })).statusCode,
    ).toBe(404);
  });

  it('refuses invalid rules: bad globs, unknown fields, unknown policy bundles', async () => {
    const bad = async (payload: object) =>
      (await api.call('alice', { method: 'POST', url: '/v1/promotions/rules', payload })).statusCode;
    expect(await bad({ ...RULE, source: { ...RULE.source, repository: 'Upper/Case' } })).toBe(400);
    expect(await bad({ ...RULE, extra: true })).toBe(400);
    expect(await bad({ ...RULE, on_failure: 'explode' })).toBe(400);
    expect(await bad({ ...RULE, policy_id: 'no-such-bundle' })).toBe(400);
  });

  it('says which field is wrong and why, in the names the caller sent', async () => {
    const refused = async (payload: object) => {
      const res = await api.call('alice', { method: 'POST', url: '/v1/promotions/rules', payload });
      expect(res.statusCode, res.body).toBe(400);
      return res.json<{ detail: { validation_details: { path: string; message: string }[] } }>().detail
        .validation_details;
    };
    expect(await refused({ ...RULE, quarantine_tag: 'bad tag!' })).toEqual([
      { path: '/quarantine_tag', message: expect.stringMatching(/pattern/) },
    ]);
    expect(await refused({ ...RULE, tags: { same: false } })).toEqual([
      { path: '/tags', message: expect.stringContaining('at least one destination tag') },
    ]);
    // Not a repository name once filled in: empty components, `..`, a leading separator.
    for (const repository of ['scanned//{name}', 'scanned/../{name}', '-scanned/{name}', 'scanned/'])
      expect(await refused({ ...RULE, destination: { ...RULE.destination, repository } })).toEqual([
        { path: '/destination/repository', message: expect.stringContaining('not a repository name') },
      ]);
    // Destinations under the rule's own source pattern would promote every copy again.
    for (const repository of ['{repository}', 'unscanned/{name}-ok', 'unscanned/scanned'])
      expect(await refused({ ...RULE, destination: { ...RULE.destination, repository } })).toEqual([
        {
          path: '/destination/repository',
          message: expect.stringContaining("falls under the rule's own source pattern"),
        },
      ]);
    const everything = { ...RULE, source: { ...RULE.source, repository: '**' } };
    expect((await refused({ ...everything, destination: { ...RULE.destination } }))[0]?.path).toBe(
      '/destination/repository',
    );
    // ... which another registry is not.
    const elsewhere = {
      ...everything,
      destination: { registry: 'other.example', repository: '{repository}' },
    };
    const ok = await api.call('alice', { method: 'POST', url: '/v1/promotions/rules', payload: elsewhere });
    expect(ok.statusCode, ok.body).toBe(200);
    await api.call('alice', {
      method: 'DELETE',
      url: `/v1/promotions/rules/${ok.json<{ id: string }>().id}`,
    });
  });

  it('queues a manual promotion once, and refuses a repository outside the rule', async () => {
    const created = await api.call('alice', { method: 'POST', url: '/v1/promotions/rules', payload: RULE });
    const ruleId = created.json<{ id: string }>().id;
    const request = { rule_id: ruleId, repository: 'unscanned/app', tag: 'v1', digest: DIGEST };
    const first = await api.call('alice', { method: 'POST', url: '/v1/promotions', payload: request });
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ queued: true, digest: DIGEST });
    const again = await api.call('alice', { method: 'POST', url: '/v1/promotions', payload: request });
    expect(again.json()).toMatchObject({ queued: false, promotion_id: null });
    const { rows } = await api.database.db.query<{ payload: { trigger: unknown; promotionId: string } }>(
      "SELECT payload FROM job WHERE kind = 'promote'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload.trigger).toEqual({ kind: 'manual', by: 'alice' });
    expect(rows[0]?.payload.promotionId).toBe(first.json<{ promotion_id: string }>().promotion_id);
    const outside = await api.call('alice', {
      method: 'POST',
      url: '/v1/promotions',
      payload: { ...request, repository: 'other/app' },
    });
    expect(outside.statusCode).toBe(400);
    const glob = await api.call('alice', {
      method: 'POST',
      url: '/v1/promotions',
      payload: { ...request, repository: undefined },
    });
    expect(glob.statusCode).toBe(400);
  });

  it('lists audit records newest first with filters, and shows one with its report', async () => {
    const [rule] = await api.store.promotions.listRules('team-a');
    if (!rule) throw new Error('the previous test left a rule');
    const base = {
      accountName: 'team-a',
      rule,
      policy: { id: 'default', digest: DIGEST },
      trigger: { kind: 'push' as const, by: '127.0.0.1' },
      steps: [],
      error: undefined,
    };
    await api.store.promotions.addRecord({
      ...base,
      source: { registry: 'registry.example:5000', repository: 'unscanned/app', tag: 'v1', digest: DIGEST },
      destination: {
        registry: 'registry.example:5000',
        repository: 'scanned/app',
        tags: ['v1'],
        digest: DIGEST,
      },
      verdict: 'pass',
      outcome: 'promoted',
      reasons: [],
      report: { final_action: 'go' },
    });
    await api.store.promotions.addRecord({
      ...base,
      source: { registry: 'registry.example:5000', repository: 'unscanned/bad', tag: 'v1', digest: DIGEST },
      destination: {
        registry: 'registry.example:5000',
        repository: 'scanned/bad',
        tags: [],
        digest: undefined,
      },
      verdict: 'fail',
      outcome: 'rejected',
      reasons: ['vulnerabilities package: critical'],
      report: { final_action: 'stop' },
    });
    const all = await api.call('alice', { method: 'GET', url: '/v1/promotions' });
    const records = all.json<{ promotions: { id: string; outcome: string }[] }>().promotions;
    expect(records.map((r) => r.outcome)).toEqual(['rejected', 'promoted']);
    const failed = await api.call('alice', { method: 'GET', url: '/v1/promotions?verdict=fail' });
    expect(failed.json()).toMatchObject({ promotions: [{ reasons: ['vulnerabilities package: critical'] }] });
    const byRepo = await api.call('alice', { method: 'GET', url: '/v1/promotions?repository=scanned/app' });
    expect(byRepo.json<{ promotions: unknown[] }>().promotions).toHaveLength(1);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const later = await api.call('alice', {
      method: 'GET',
      url: `/v1/promotions?since=${encodeURIComponent(future)}`,
    });
    expect(later.json()).toEqual({ promotions: [], next: null });
    const page1 = (await api.call('alice', { method: 'GET', url: '/v1/promotions?limit=1' })).json<{
      promotions: { id: string }[];
      next: string | null;
    }>();
    expect(page1.next).toBe(records[0]!.id);
    const page2 = (
      await api.call('alice', { method: 'GET', url: `/v1/promotions?limit=1&after=${page1.next ?? ''}` })
    ).json<{ promotions: { id: string }[] }>();
    expect(page2.promotions.map((r) => r.id)).toEqual([records[1]!.id]);
    const one = await api.call('alice', { method: 'GET', url: `/v1/promotions/${records[0]!.id}` });
    expect(one.json()).toMatchObject({
      outcome: 'rejected',
      report: { final_action: 'stop' },
      rule: { id: rule.id },
    });
  });
});
