/**
 * Promotion data of team-b (bob) for the UI's isolation tests: one rule and one audit record,
 * whose names alice's pages must never show and whose ids her URLs must not open.
 */
import type { ApiHarness } from '../../../test/harness/api.js';
import { promotionRuleInput } from '../../core/promotion/index.js';

export const B_PROMOTION = {
  ruleName: 'bob-ui-hidden-rule',
  repository: 'bob-ui-hidden/app',
  digest: `sha256:${'f'.repeat(64)}`,
} as const;

/** The strings of bob's promotion data that must not reach alice. */
export const B_PROMOTION_SECRETS = [B_PROMOTION.ruleName, B_PROMOTION.repository, 'f'.repeat(64)];

export interface BobPromotion {
  ruleId: string;
  recordId: string;
}

const seeded = new WeakMap<ApiHarness, BobPromotion>();

export async function bobPromotion(api: ApiHarness): Promise<BobPromotion> {
  const known = seeded.get(api);
  if (known) return known;
  const rule = await api.store.promotions.addRule(
    'team-b',
    promotionRuleInput.parse({
      name: B_PROMOTION.ruleName,
      source: { registry: 'registry.example:5000', repository: B_PROMOTION.repository },
      destination: { registry: 'registry.example:5000', repository: `${B_PROMOTION.repository}-scanned` },
    }),
  );
  const record = await api.store.promotions.addRecord({
    accountName: 'team-b',
    rule,
    source: {
      registry: 'registry.example:5000',
      repository: B_PROMOTION.repository,
      tag: '1',
      digest: B_PROMOTION.digest,
    },
    destination: {
      registry: 'registry.example:5000',
      repository: `${B_PROMOTION.repository}-scanned`,
      tags: ['1'],
      digest: B_PROMOTION.digest,
    },
    policy: undefined,
    verdict: 'fail',
    outcome: 'rejected',
    reasons: ['bob-ui-hidden reason'],
    trigger: { kind: 'manual', by: 'bob' },
    steps: [{ step: 'evaluated', at: new Date().toISOString() }],
    report: undefined,
    error: undefined,
  });
  if (!record) throw new Error("bob's promotion record was not written");
  const out = { ruleId: rule.id, recordId: record.id };
  seeded.set(api, out);
  return out;
}
