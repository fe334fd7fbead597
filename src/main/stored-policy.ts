/**
 * A policy decision from a stored analysis (SBOM, findings, config, retrieved files) for the
 * admission webhook, when no evaluation against the bundle is stored yet. Evaluation is linear in
 * the findings and reads nothing from registries; it never analyses.
 */
import { PortcullisError } from '../core/errors.js';
import type { ImageConfigFile } from '../core/image/types.js';
import type { Finding } from '../core/matching/types.js';
import { buildPolicyInput } from '../core/pipeline/policy-input.js';
import { evaluatePolicy, validateBundle, type PolicyDecision } from '../core/policy/index.js';
import type { FeedStatus } from '../core/policy/input.js';
import type { SbomDocument } from '../core/sbom/document.js';
import { compareByPackageType } from '../core/versioning/by-package-type.js';
import type { AnalysisRecord } from '../store/repositories/analyses.js';
import type { PolicyRecord } from '../store/repositories/policies.js';

interface StoredMetadata {
  config?: ImageConfigFile;
  retrieved?: Record<string, string>;
}

/** Evaluates a stored analysis against a stored bundle, as the image's first tag. */
export function evaluateStored(
  analysis: AnalysisRecord,
  policy: PolicyRecord,
  tag: string | undefined,
  feeds: readonly FeedStatus[],
  now: Date,
): PolicyDecision {
  const validated = validateBundle(policy.bundle);
  if (!validated.ok)
    throw new PortcullisError(
      'POLICY_INVALID',
      `stored policy bundle "${policy.policyId}" does not validate: ${validated.errors[0]?.message ?? ''}`,
    );
  const metadata = (analysis.metadata ?? {}) as StoredMetadata;
  const retrieved = new Map(
    Object.entries(metadata.retrieved ?? {}).map(([path, body]) => [path, Buffer.from(body, 'base64')]),
  );
  const input = buildPolicyInput({
    document: analysis.sbom as SbomDocument,
    retrieved,
    ...(metadata.config ? { config: metadata.config } : {}),
    findings: (analysis.findings ?? []) as Finding[],
    feeds,
    tags: tag ? [tag] : [],
    now,
  });
  return evaluatePolicy(validated.bundle, input, {
    ...(tag ? { tag } : {}),
    services: { compareVersions: compareByPackageType },
  });
}

/** The admission port's evaluator: the current feed freshness joined to each evaluation. */
export function storedEvaluator(feeds: () => Promise<FeedStatus[]>) {
  return async (analysis: AnalysisRecord, policy: PolicyRecord, tag: string | undefined, now: Date) =>
    evaluateStored(analysis, policy, tag, await feeds(), now);
}
