/**
 * What the admission webhook stores: exceptions and audit records. The records live with the
 * store (which must not import the admission wing); `src/admission/ports.ts` re-exports them.
 */
/** A WhiteListItem-style exception letting a Helm release's pods through. */
export interface AdmissionException {
  /** The API exception's UUID, or the WhiteListItem's name (source crd). */
  id: string;
  /** Managed through the API (stored) or as a WhiteListItem custom resource; undefined = api. */
  source?: 'api' | 'crd';
  /** Release name: label `app.kubernetes.io/instance` or `release` of the object. */
  release: string;
  /** Namespace it applies to; undefined = every namespace. */
  namespace: string | undefined;
  creator: string;
  reason: string;
  /** Undefined = no expiry. Expired exceptions stop applying. */
  expiresAt: Date | undefined;
}

export type AdmissionMode = 'policy' | 'analysis' | 'breakglass';

export interface AuditImage {
  container: string;
  /** containers | initContainers | ephemeralContainers */
  list: string;
  /** As written in the pod spec (truncated to 512 characters). */
  image: string;
  /** Normalized reference, undefined when it did not parse. */
  reference: string | undefined;
  digest: string | undefined;
  mode: AdmissionMode | undefined;
  /** ok = passes its mode; fail = fails it (allowed only through warn, exception or breakglass). */
  outcome: 'ok' | 'fail';
  reasons: string[];
  stale: boolean;
}

export interface AuditRecord {
  time: Date;
  cluster: string;
  uid: string;
  namespace: string;
  operation: string;
  kind: string;
  name: string;
  release: string | undefined;
  user: string;
  images: AuditImage[];
  allowed: boolean;
  /** allowed | denied | warned (allowed with warnings). */
  verdict: 'allowed' | 'denied' | 'warned';
  reasons: string[];
  /** The mode that decided (the strictest applied), or how the request bypassed the modes. */
  mode: AdmissionMode | 'excluded' | 'scale-only' | 'no-rule' | 'invalid';
  exception:
    { id: string; source?: 'api' | 'crd'; release: string; creator: string; reason: string } | undefined;
  dryRun: boolean;
  /** At least one verdict came from the cache because the store was unreachable. */
  stale: boolean;
}
