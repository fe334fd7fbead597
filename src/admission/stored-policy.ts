/**
 * A policy verdict from what the store already holds: the newest stored evaluation of the digest
 * against the bundle, or else an evaluation of the stored analysis (SBOM, findings, config,
 * retrieved files). Evaluation is linear in the findings and reads nothing from registries, so
 * admission may run it; it never analyses.
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
import type { VerdictReason } from './ports.js';

interface StoredMetadata {
  config?: ImageConfigFile;
  retrieved?: Record<string, string>;
}

const CVE_LIKE = /\b(CVE-\d{4}-\d{4,}|GHSA-[\w-]+|DSA-[\w-]+|OSV-[\w-]+)\b/;
const SEVERITY = /\b(Critical|High|Medium|Low|Negligible|Unknown)\b/i;

/** The fired, non-whitelisted triggers of a decision as admission reasons. */
export function reasonsOf(decision: PolicyDecision): VerdictReason[] {
  const reasons: VerdictReason[] = decision.triggers
    .filter((t) => t.whitelisted === null && t.action !== 'GO')
    .map((t) => {
      const vulnerability = CVE_LIKE.exec(t.message)?.[1];
      const severity = SEVERITY.exec(t.message)?.[1];
      return {
        gate: t.gate,
        trigger: t.trigger,
        message: t.message,
        action: t.action,
        ...(vulnerability ? { vulnerability } : {}),
        ...(severity ? { severity } : {}),
        ...(t.package ? { package: `${t.package.name} ${t.package.version}` } : {}),
      };
    });
  if (decision.matchedBlacklistedImage)
    reasons.push({
      gate: 'image',
      trigger: 'blacklisted',
      message: 'the image is blacklisted',
      action: 'STOP',
    });
  for (const reason of decision.failClosed)
    reasons.push({
      gate: 'analysis',
      trigger: 'fail_closed',
      message: JSON.stringify(reason),
      action: 'STOP',
    });
  return reasons;
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
