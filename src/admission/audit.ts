/**
 * Audit rows: one per decision, dry runs included (marked), so every admission and refusal
 * can be traced to the images, digests, rule mode and exception that decided it.
 */
import type { AdmissionConfig } from './config.js';
import type { ImageEvaluation } from './evaluate-image.js';
import { displayImage, type AdmissionRequest, type ImageUse, type InvalidReview } from './parse.js';
import type { AuditImage, AuditRecord } from './ports.js';

const MAX_AUDIT_IMAGE_CHARS = 512;

/** The Helm release: the first configured release label the object (or its pod template) carries. */
export function releaseOf(labels: Record<string, string>, config: AdmissionConfig): string | undefined {
  for (const key of config.releaseLabels) {
    const value = labels[key];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

type Subject = Pick<AdmissionRequest, 'envelope' | 'namespace' | 'name' | 'user' | 'dryRun'> & {
  operation: string;
  kind: string;
  labels: Record<string, string>;
};

function row(subject: Subject, config: AdmissionConfig, time: Date): AuditRecord {
  return {
    time,
    cluster: config.cluster,
    uid: subject.envelope.uid,
    namespace: subject.namespace,
    operation: subject.operation,
    kind: subject.kind,
    name: subject.name,
    release: releaseOf(subject.labels, config),
    user: subject.user,
    images: [],
    allowed: true,
    verdict: 'allowed',
    reasons: [],
    mode: 'no-rule',
    exception: undefined,
    dryRun: subject.dryRun,
    stale: false,
  };
}

export function baseAudit(request: AdmissionRequest, config: AdmissionConfig, time: Date): AuditRecord {
  const kind = request.subResource ? `${request.kind.kind}/${request.subResource}` : request.kind.kind;
  return row({ ...request, kind }, config, time);
}

export function invalidAudit(invalid: InvalidReview, config: AdmissionConfig, time: Date): AuditRecord {
  return row({ ...invalid, labels: {} }, config, time);
}

export function auditImage(use: ImageUse, evaluation: ImageEvaluation | undefined): AuditImage {
  const image = use.image.length > MAX_AUDIT_IMAGE_CHARS ? displayImage(use.image) : use.image;
  return {
    container: use.container,
    list: use.list,
    image,
    reference: use.normalized,
    digest: evaluation?.digest ?? use.reference?.digest,
    mode: evaluation?.mode,
    outcome: evaluation?.outcome ?? 'ok',
    reasons: evaluation ? evaluation.reasons : ['no rule matched'],
    stale: evaluation?.stale ?? false,
  };
}
