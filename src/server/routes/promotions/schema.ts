/**
 * The promotion API's documents in the API's snake_case, mapped to and from the promotion
 * core's rule shape (which validates them: one schema, two spellings).
 */
import { z } from 'zod';
import { promotionRuleInput, type PromotionRuleSpec } from '../../../core/promotion/index.js';
import type { PromotionRecord, StoredPromotionRule } from '../../../store/repositories/promotions.js';
import { isoTime } from '../../schemas.js';

/** The core's field names as the API spells them, so a 400 names the field the caller sent. */
const API_NAMES: Record<string, string> = {
  policyId: 'policy_id',
  scannedSuffix: 'scanned_suffix',
  onFailure: 'on_failure',
  onRecheckFailure: 'on_recheck_failure',
  quarantineTag: 'quarantine_tag',
  copyReferrers: 'copy_referrers',
};

const apiPath = (path: readonly PropertyKey[]) =>
  path.map((part) => (typeof part === 'string' ? (API_NAMES[part] ?? part) : part));

export const ruleBody = z
  .strictObject({
    name: z.string(),
    enabled: z.boolean().optional(),
    source: z.strictObject({ registry: z.string(), repository: z.string(), tag: z.string().optional() }),
    destination: z.strictObject({ registry: z.string(), repository: z.string() }),
    policy_id: z.string().optional(),
    tags: z
      .strictObject({
        same: z.boolean().optional(),
        scanned_suffix: z.boolean().optional(),
        digest: z.boolean().optional(),
      })
      .optional(),
    on_failure: z.enum(['leave', 'quarantine', 'notify']).optional(),
    on_recheck_failure: z.enum(['notify', 'quarantine']).optional(),
    quarantine_tag: z.string().optional(),
    copy_referrers: z.boolean().optional(),
  })
  .transform((b, ctx) => {
    const parsed = promotionRuleInput.safeParse({
      name: b.name,
      enabled: b.enabled,
      source: b.source,
      destination: b.destination,
      policyId: b.policy_id,
      tags: b.tags && { same: b.tags.same, scannedSuffix: b.tags.scanned_suffix, digest: b.tags.digest },
      onFailure: b.on_failure,
      onRecheckFailure: b.on_recheck_failure,
      quarantineTag: b.quarantine_tag,
      copyReferrers: b.copy_referrers,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: apiPath(issue.path) });
      return z.NEVER;
    }
    return parsed.data;
  });

export type RuleBody = PromotionRuleSpec;

export function presentRule(r: StoredPromotionRule) {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    source: r.source,
    destination: r.destination,
    policy_id: r.policyId ?? null,
    tags: { same: r.tags.same, scanned_suffix: r.tags.scannedSuffix, digest: r.tags.digest },
    on_failure: r.onFailure,
    on_recheck_failure: r.onRecheckFailure,
    quarantine_tag: r.quarantineTag,
    copy_referrers: r.copyReferrers,
    created_at: isoTime(r.createdAt),
    last_updated: isoTime(r.lastUpdated),
  };
}

export function presentRecord(r: PromotionRecord, withReport: boolean) {
  return {
    id: r.id,
    rule_id: r.rule.id,
    rule_name: r.rule.name,
    source: r.source,
    destination: r.destination,
    policy: r.policy ?? null,
    verdict: r.verdict ?? null,
    outcome: r.outcome,
    reasons: r.reasons,
    trigger: r.trigger,
    steps: r.steps,
    error: r.error ?? null,
    created_at: r.createdAt.toISOString(),
    ...(withReport ? { rule: r.rule, report: r.report ?? null } : {}),
  };
}

export const recordQuery = z.object({
  repository: z.string().max(255).optional(),
  verdict: z.enum(['pass', 'fail']).optional(),
  outcome: z
    .enum(['promoted', 'rejected', 'quarantined', 'failed', 'recheck_failed', 'recheck_passed'])
    .optional(),
  since: z.string().datetime({ offset: true }).optional(),
  until: z.string().datetime({ offset: true }).optional(),
  /** The `next` of the previous page. */
  after: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const promoteBody = z.strictObject({
  rule_id: z.string().uuid(),
  /** The source repository; may be left out when the rule's source names one repository. */
  repository: z.string().min(1).max(255).optional(),
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/),
  /** The digest to promote; resolved from the tag when absent. */
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .optional(),
});
