/**
 * Use case: evaluate. Analyse → match → suppress (the same stage as scan, so a finding scan
 * shows as suppressed never fails the policy) → policy decision.
 */
import type { ValidatedBundle } from '../policy/bundle.js';
import { evaluatePolicy, type PolicyDecision } from '../policy/index.js';
import type { PolicyInput } from '../policy/input.js';
import { compareByPackageType } from '../versioning/by-package-type.js';
import { throwIfAborted } from '../abort.js';
import { findVulnerabilities, type FindingsRequest, type FindingsResult } from './findings.js';
import { buildPolicyInput } from './policy-input.js';

export interface EvaluateRequest extends FindingsRequest {
  bundle: ValidatedBundle;
  /** Tags the image is evaluated as (registry/repo:tag), for bundle mappings; first one wins. */
  tags: readonly string[];
  /** The Dockerfile text the image was built from; else reconstructed from history. */
  dockerfile?: string;
  /** Let an image whose package database could not be read pass (it fails closed otherwise). */
  allowUnreadablePackageDb?: boolean;
}

export interface EvaluateResult {
  decision: PolicyDecision;
  input: PolicyInput;
  stage: FindingsResult;
}

export async function evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
  const stage = await findVulnerabilities(request);
  throwIfAborted(request.signal, 'the evaluation');
  request.observer?.stage?.('evaluate', { source: stage.analysis.document.source.input });
  const coverage = await request.data.coverage();
  const input = buildPolicyInput({
    ...stage.analysis,
    findings: stage.findings,
    feeds: stage.feeds.map((f) => ({
      name: f.source,
      namespaces: [...(coverage.get(f.source) ?? [])],
      lastSync: new Date(f.lastSync),
      records: f.records,
    })),
    vulnerabilityData: stage.dataState,
    tags: request.tags,
    ...(request.dockerfile !== undefined ? { dockerfile: request.dockerfile } : {}),
    now: stage.now,
  });
  const decision = evaluatePolicy(request.bundle, input, {
    ...(request.tags[0] ? { tag: request.tags[0] } : {}),
    services: { compareVersions: compareByPackageType },
    ...(request.allowUnreadablePackageDb ? { allowUnreadablePackageDb: true } : {}),
    ...(request.requirements?.allowNoData ? { allowNoVulnData: true } : {}),
  });
  return { decision, input, stage };
}
