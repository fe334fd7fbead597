/**
 * Scaling an admitted workload must never be blocked by a CVE published since (an outage
 * response needs more replicas). An UPDATE is scale-only when the new object equals the old
 * one except for `spec.replicas` and the bookkeeping the API server or kubectl changes with it.
 */
import { isDeepStrictEqual } from 'node:util';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const BOOKKEEPING_METADATA = ['resourceVersion', 'generation', 'managedFields'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withoutScaleFields(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  delete copy['status'];
  if (isRecord(copy['spec'])) {
    const spec = { ...copy['spec'] };
    delete spec['replicas'];
    copy['spec'] = spec;
  }
  if (isRecord(copy['metadata'])) {
    const metadata = { ...copy['metadata'] };
    for (const key of BOOKKEEPING_METADATA) delete metadata[key];
    if (isRecord(metadata['annotations'])) {
      const annotations = { ...metadata['annotations'] };
      delete annotations[LAST_APPLIED];
      metadata['annotations'] = annotations;
    }
    copy['metadata'] = metadata;
  }
  return copy;
}

export function isScaleOnlyUpdate(object: unknown, oldObject: unknown): boolean {
  if (!isRecord(object) || !isRecord(oldObject)) return false;
  const spec = object['spec'];
  const oldSpec = oldObject['spec'];
  if (!isRecord(spec) || !isRecord(oldSpec) || !('replicas' in spec)) return false;
  if (isDeepStrictEqual(spec['replicas'], oldSpec['replicas'])) return false;
  return isDeepStrictEqual(withoutScaleFields(object), withoutScaleFields(oldObject));
}
