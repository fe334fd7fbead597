/**
 * A namespace's results as one `PolicyReport` (wgpolicyk8s.io/v1alpha2), the object Kubernetes
 * policy tools (Kyverno, Policy Reporter, Trivy operator) read. Per running image: one result
 * for the bundle's final action, and one per gate/trigger that fired with effect (WARN, STOP),
 * each naming the pods that run the image. An image that could not be evaluated is an `error`
 * result. Properties are strings, as the CRD says.
 */
import { SEVERITY_ORDER, type Finding, type NormalizedSeverity } from '../matching/types.js';
import type { PolicyDecision } from '../policy/evaluate.js';
import type { PodRef, RunningImage } from './pods.js';

export type PolicyResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
export type PolicySeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface PolicyReportResult {
  source: 'portcullis';
  policy: string;
  rule: string;
  category: string;
  result: PolicyResult;
  severity?: PolicySeverity;
  scored: boolean;
  timestamp: { seconds: number; nanos: number };
  message: string;
  resources: PodRef[];
  properties: Record<string, string>;
}

export interface PolicyReport {
  apiVersion: 'wgpolicyk8s.io/v1alpha2';
  kind: 'PolicyReport';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  summary: Record<PolicyResult, number>;
  results: PolicyReportResult[];
}

export type ImageOutcome = RunningImage &
  ({ decision: PolicyDecision; findings: readonly Finding[] } | { error: string });

const SEVERITY: Record<NormalizedSeverity, PolicySeverity> = {
  Critical: 'critical',
  High: 'high',
  Medium: 'medium',
  Low: 'low',
  Negligible: 'info',
  Unknown: 'info',
};

const ACTION_RESULT = { GO: 'pass', WARN: 'warn', STOP: 'fail' } as const;

function topSeverity(findings: readonly Finding[]): PolicySeverity | undefined {
  if (findings.length === 0) return undefined;
  const top = Math.max(...findings.map((f) => SEVERITY_ORDER.indexOf(f.severity)));
  return SEVERITY[SEVERITY_ORDER[top] ?? 'Unknown'];
}

function counts(findings: readonly Finding[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SEVERITY_ORDER) {
    const n = findings.filter((f) => f.severity === s).length;
    if (n > 0) out[`vulnerabilities.${s.toLowerCase()}`] = String(n);
  }
  out['vulnerabilities.fixable'] = String(findings.filter((f) => f.fixedVersions.length > 0).length);
  return out;
}

function imageResults(outcome: ImageOutcome, policy: string, at: PolicyReportResult['timestamp']) {
  const common = {
    source: 'portcullis' as const,
    policy,
    scored: true,
    timestamp: at,
    resources: outcome.pods,
  };
  const image = {
    image: outcome.image,
    reference: outcome.reference,
    ...(outcome.digest ? { digest: outcome.digest } : {}),
  };
  if ('error' in outcome)
    return [
      {
        ...common,
        rule: 'evaluation',
        category: 'Image',
        result: 'error' as const,
        message: outcome.error,
        properties: image,
      },
    ];
  const live = outcome.findings.filter((f) => !f.suppressed);
  const severity = topSeverity(live);
  const { decision } = outcome;
  const results: PolicyReportResult[] = [
    {
      ...common,
      rule: 'final-action',
      category: 'Image',
      result: decision.status === 'fail' ? 'fail' : ACTION_RESULT[decision.finalAction],
      ...(severity ? { severity } : {}),
      message: `${outcome.image}: ${decision.finalAction} (${decision.reason})`,
      properties: { ...image, ...counts(live), 'policy.id': decision.bundle.id },
    },
  ];
  const fired = new Map<string, typeof decision.triggers>();
  for (const t of decision.triggers) {
    if (t.effectiveAction === 'GO') continue;
    const key = `${t.gate}/${t.trigger}`;
    fired.set(key, [...(fired.get(key) ?? []), t]);
  }
  for (const [rule, triggers] of fired) {
    const worst = triggers.some((t) => t.effectiveAction === 'STOP') ? 'STOP' : 'WARN';
    const first = triggers[0]!;
    results.push({
      ...common,
      rule,
      category: first.gate === 'vulnerabilities' ? 'Vulnerabilities' : 'Policy',
      result: ACTION_RESULT[worst],
      ...(first.gate === 'vulnerabilities' && severity ? { severity } : {}),
      message: triggers.length === 1 ? first.message : `${triggers.length} times, e.g. ${first.message}`,
      properties: {
        ...image,
        count: String(triggers.length),
        'trigger.ids': triggers
          .slice(0, 20)
          .map((t) => t.triggerId)
          .join(','),
      },
    });
  }
  return results;
}

export function buildPolicyReport(
  namespace: string,
  outcomes: readonly ImageOutcome[],
  policy: string,
  now: Date,
): PolicyReport {
  const at = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const results = outcomes.flatMap((o) => imageResults(o, policy, at));
  const summary: Record<PolicyResult, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) summary[r.result]++;
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: {
      name: `portcullis-${namespace}`.slice(0, 253),
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'portcullis' },
    },
    summary,
    results,
  };
}
