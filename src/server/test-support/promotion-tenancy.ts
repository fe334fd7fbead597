/**
 * Tenancy probes for the promotion routes, spread into the route table of `tenancy.test.ts`:
 * account B (bob) owns a rule and an audit record; alice must neither see nor change them,
 * nor promote with bob's rule.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';
import { promotionRuleInput } from '../../core/promotion/index.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_NAME = 'bob-secret-rule';
const B_REPO = 'bob-secret/app';
const B_DIGEST = `sha256:${'e'.repeat(64)}`;
const SPEC = promotionRuleInput.parse({
  name: B_NAME,
  source: { registry: 'registry.example:5000', repository: B_REPO },
  destination: { registry: 'registry.example:5000', repository: 'bob-scanned/app' },
});
const ALICE_RULE = {
  name: 'a-rule',
  source: { registry: 'registry.example:5000', repository: 'a/app' },
  destination: { registry: 'registry.example:5000', repository: 'a-scanned/app' },
};

async function bobRule(api: ApiHarness): Promise<string> {
  const [existing] = await api.store.promotions.listRules('team-b');
  return existing?.id ?? (await api.store.promotions.addRule('team-b', SPEC)).id;
}

async function bobRecord(api: ApiHarness): Promise<string> {
  const [existing] = await api.store.promotions.listRecords('team-b', { limit: 1 });
  if (existing) return existing.id;
  const rule = await api.store.promotions.getRule('team-b', await bobRule(api));
  const record = await api.store.promotions.addRecord({
    accountName: 'team-b',
    rule: rule ?? { ...SPEC, id: 'gone' },
    source: { registry: 'registry.example:5000', repository: B_REPO, tag: '1', digest: B_DIGEST },
    destination: {
      registry: 'registry.example:5000',
      repository: 'bob-scanned/app',
      tags: ['1'],
      digest: B_DIGEST,
    },
    policy: undefined,
    verdict: 'pass',
    outcome: 'promoted',
    reasons: [],
    trigger: { kind: 'manual', by: 'bob' },
    steps: [],
    report: undefined,
    error: undefined,
  });
  return record?.id ?? '';
}

const bobRuleUnchanged = async (api: ApiHarness, id: string) => {
  expect((await api.store.promotions.getRule('team-b', id))?.name).toBe(B_NAME);
};

export const PROMOTION_TENANCY: Record<string, Probe> = {
  'GET /v1/promotions/rules': async (api) => {
    await bobRule(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/promotions/rules' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(B_NAME);
  },
  'POST /v1/promotions/rules': async (api) => {
    const res = await api.call('alice', { method: 'POST', url: '/v1/promotions/rules', payload: ALICE_RULE });
    expect(res.statusCode).toBe(200);
    expect((await api.store.promotions.listRules('team-b')).map((r) => r.name)).not.toContain('a-rule');
  },
  'GET /v1/promotions/rules/:ruleId': async (api) => {
    const id = await bobRule(api);
    const res = await api.call('alice', { method: 'GET', url: `/v1/promotions/rules/${id}` });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(B_NAME);
  },
  'PUT /v1/promotions/rules/:ruleId': async (api) => {
    const id = await bobRule(api);
    const res = await api.call('alice', {
      method: 'PUT',
      url: `/v1/promotions/rules/${id}`,
      payload: ALICE_RULE,
    });
    expect(res.statusCode).toBe(404);
    await bobRuleUnchanged(api, id);
  },
  'DELETE /v1/promotions/rules/:ruleId': async (api) => {
    const id = await bobRule(api);
    const res = await api.call('alice', { method: 'DELETE', url: `/v1/promotions/rules/${id}` });
    expect(res.statusCode).toBe(404);
    await bobRuleUnchanged(api, id);
  },
  'GET /v1/promotions': async (api) => {
    await bobRecord(api);
    const res = await api.call('alice', { method: 'GET', url: `/v1/promotions?repository=${B_REPO}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ promotions: [], next: null });
  },
  'GET /v1/promotions/:promotionId': async (api) => {
    const id = await bobRecord(api);
    const res = await api.call('alice', { method: 'GET', url: `/v1/promotions/${id}` });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(B_REPO);
  },
  'POST /v1/promotions': async (api) => {
    const id = await bobRule(api);
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/promotions',
      payload: { rule_id: id, tag: '1', digest: B_DIGEST },
    });
    expect(res.statusCode).toBe(404);
    const { rows } = await api.database.db.query("SELECT 1 FROM job WHERE kind = 'promote'");
    expect(rows).toEqual([]);
  },
};
