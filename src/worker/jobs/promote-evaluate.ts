/**
 * The analysis and policy half of a promotion: the pushed digest analysed once (an existing
 * analysis is reused, as the analyze-image job does), then evaluated against the rule's bundle
 * (or the account's active one) as the pushed tag. Yields the verdict, its reasons and the report.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';
import type { PromotionRule } from '../../core/promotion/index.js';
import { computeEvaluation } from '../../store/evaluate-analysis.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import type { PolicyRecord } from '../../store/repositories/policies.js';
import type { AnalyzeImage, RegistryLogin } from '../analyze.js';

export interface RuleEvaluation {
  verdict: 'pass' | 'fail';
  reasons: string[];
  policy: { id: string; digest: string };
  /** The evaluation document (Anchore's shape with Portcullis' decision). */
  report: unknown;
  /** The digest the analysis is stored under (the platform image of an index). */
  analysisDigest: string;
}

const decisionShape = z.looseObject({
  decision: z.looseObject({
    reason: z.string().optional(),
    triggers: z.array(
      z.looseObject({
        gate: z.string(),
        trigger: z.string(),
        message: z.string(),
        effective_action: z.string(),
      }),
    ),
  }),
});

export function bundleDigest(policy: PolicyRecord): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(policy.bundle)).digest('hex')}`;
}

/** Why an image failed: every trigger that stops it, else the decision's own reason. */
export function stopReasons(report: unknown): string[] {
  const parsed = decisionShape.safeParse(report);
  if (!parsed.success) return [];
  const stops = parsed.data.decision.triggers
    .filter((t) => t.effective_action.toUpperCase() === 'STOP')
    .map((t) => `${t.gate} ${t.trigger}: ${t.message}`);
  return stops.length > 0 ? stops : parsed.data.decision.reason ? [parsed.data.decision.reason] : [];
}

export async function policyFor(
  store: ServiceStore,
  accountName: string,
  rule: PromotionRule,
): Promise<PolicyRecord> {
  const policy = rule.policyId
    ? await store.policies.get(accountName, rule.policyId)
    : await store.policies.active(accountName);
  if (!policy)
    throw new PortcullisError(
      'POLICY_INVALID',
      rule.policyId
        ? `policy bundle ${rule.policyId} does not exist`
        : 'the account has no active policy bundle',
    );
  return policy;
}

/** Analyses the digest unless an analysis exists; returns the digest the analysis is under. */
export async function ensureAnalysis(
  store: ServiceStore,
  analyze: AnalyzeImage,
  image: { registry: string; repository: string; digest: string },
  credentials: readonly RegistryLogin[],
  signal: AbortSignal,
): Promise<string> {
  if (await store.analyses.exists(image.digest)) return image.digest;
  const result = await analyze({
    source: `registry:${image.registry}/${image.repository}@${image.digest}`,
    credentials,
    signal,
  });
  signal.throwIfAborted();
  if (await store.analyses.exists(result.imageDigest)) return result.imageDigest;
  await store.analyses.save({
    imageDigest: result.imageDigest,
    imageId: result.imageId,
    analyzerVersion: result.analyzerVersion,
    metadata: result.metadata,
    sbom: result.sbom,
    findings: result.findings,
  });
  return result.imageDigest;
}

export async function evaluateForRule(
  store: ServiceStore,
  accountName: string,
  rule: PromotionRule,
  analysisDigest: string,
  tag: string,
): Promise<RuleEvaluation> {
  const policy = await policyFor(store, accountName, rule);
  const computed = await computeEvaluation(store, { accountName, imageDigest: analysisDigest, tag, policy });
  if (!computed)
    throw new PortcullisError('INVALID_ARGUMENT', `no analysis of ${analysisDigest} to evaluate`);
  const report = (computed.result as { result: unknown }).result;
  const verdict = computed.status === 'pass' ? 'pass' : 'fail';
  return {
    verdict,
    reasons: verdict === 'fail' ? stopReasons(report) : [],
    policy: { id: policy.policyId, digest: bundleDigest(policy) },
    report,
    analysisDigest,
  };
}
