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

/** Kubernetes object names: lower-case, ≤ 253 characters, [a-z0-9.-]. */
function objectName(row: AuditRecord): string {
  const base = `${row.kind.split('/')[0]}-${row.name || 'unnamed'}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-');
  return base.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 253) || 'unnamed';
}

/**
 * The `Audit` custom resource (deploy/kubernetes/base/crd-audits.yaml) mirroring a row, named
 * after the decided object so that all replicas of one workload update one record.
 */
export function auditResource(row: AuditRecord): Record<string, unknown> {
  return {
    apiVersion: 'security.portcullis.dev/v1alpha1',
    kind: 'Audit',
    metadata: { name: objectName(row), namespace: row.namespace || 'default' },
    spec: {
      time: row.time.toISOString(),
      cluster: row.cluster,
      uid: row.uid,
      operation: row.operation,
      resource: { kind: row.kind, name: row.name },
      ...(row.release === undefined ? {} : { release: row.release }),
      user: row.user,
      verdict: row.verdict,
      mode: row.mode,
      dryRun: row.dryRun,
      stale: row.stale,
      reasons: row.reasons,
      ...(row.exception === undefined ? {} : { exception: row.exception }),
      images: row.images.map((i) => ({
        container: i.container,
        list: i.list,
        image: i.image,
        ...(i.reference === undefined ? {} : { reference: i.reference }),
        ...(i.digest === undefined ? {} : { digest: i.digest }),
        ...(i.mode === undefined ? {} : { mode: i.mode }),
        outcome: i.outcome,
        reasons: i.reasons,
      })),
    },
  };
}
