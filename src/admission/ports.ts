/**
 * What the admission decision needs from outside. The webhook never analyses: it resolves tags,
 * reads stored verdicts and exceptions, enqueues analysis and writes audit rows, all through
 * these ports. The service backs them with the store, the queue and the registry client; tests
 * use the in-memory versions in `test-support.ts`.
 */
import type { ImageReference } from '../core/image/reference/parse.js';
import type {
  AdmissionException,
  AdmissionMode,
  AuditImage,
  AuditRecord,
} from '../store/repositories/admission-records.js';

export type { AdmissionException, AdmissionMode, AuditImage, AuditRecord };

export interface PortContext {
  /** Account whose credentials, verdicts and bundles apply (from the admission config). */
  readonly account: string | undefined;
  /** Aborted when the request deadline passes; ports should stop waiting then. */
  readonly signal: AbortSignal;
}

/** Tag → digest of the manifest that will run (registry HEAD with the account's credentials). */
export interface DigestResolver {
  /** Returns "sha256:…"; throws (coded error) when the tag does not exist or the registry fails. */
  resolve(ref: ImageReference, ctx: PortContext): Promise<string>;
}

export type AnalysisStatus = 'analyzed' | 'analyzing' | 'not_analyzed' | 'failed';

/** One fired trigger that made a policy verdict fail or warn. */
export interface VerdictReason {
  gate: string;
  trigger: string;
  message: string;
  action: 'GO' | 'WARN' | 'STOP';
  /** Vulnerability id when the trigger is about one (e.g. CVE-2023-4863). */
  vulnerability?: string;
  severity?: string;
  package?: string;
}

export interface StoredVerdict {
  digest: string;
  analysisStatus: AnalysisStatus;
  /** Present once the image is analysed and evaluated against the requested bundle. */
  policy?: {
    bundleId: string;
    status: 'pass' | 'fail';
    reasons: VerdictReason[];
    evaluatedAt: Date;
  };
}

/** Stored analysis status and policy verdict of a digest; `bundleId` undefined = active bundle. */
export interface VerdictSource {
  /** Undefined when the service has never seen the digest. Throws when the store is unreachable. */
  lookup(digest: string, bundleId: string | undefined, ctx: PortContext): Promise<StoredVerdict | undefined>;
}

export interface AnalysisRequest {
  /** Normalized reference as the pod names it ("docker.io/library/nginx:1.25"). */
  reference: string;
  digest: string | undefined;
  /** Who asked, for the analysis record. */
  requestedBy: 'admission';
}

/** Enqueues an analysis; must return as soon as the job is stored, never wait for the analysis. */
export interface AnalysisRequester {
  request(req: AnalysisRequest, ctx: PortContext): Promise<void>;
}

export interface ExceptionSource {
  /** Exceptions for the release (expired ones included; the decision filters by time). */
  forRelease(release: string, namespace: string, ctx: PortContext): Promise<AdmissionException[]>;
}

/**
 * Namespace labels: AdmissionReview carries only the namespace name, so rules with
 * `namespaceLabels` need this port (in a pod the service backs it with watched Namespaces, ADR 0028).
 */
export interface NamespaceLabelSource {
  labels(namespace: string, ctx: PortContext): Promise<Record<string, string>>;
}

export interface AuditSink {
  record(row: AuditRecord): Promise<void>;
  /** Several rows in one write, in order, all or none (optional; `record` is used without it). */
  recordMany?(rows: readonly AuditRecord[]): Promise<void>;
}

/**
 * Announces that something a decision reads (an evaluation or an image's analysis status, a
 * policy bundle or its activation, whitelists inside bundles, an admission exception) changed,
 * so cached answers are dropped at once instead of at the end of their freshness bound.
 */
export interface ChangeFeed {
  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export interface AdmissionPorts {
  digests: DigestResolver;
  verdicts: VerdictSource;
  analysis: AnalysisRequester;
  exceptions: ExceptionSource;
  audit: AuditSink;
  namespaceLabels?: NamespaceLabelSource;
  /** Without it, cached verdicts and exceptions expire only by `verdictCache.freshMilliseconds`. */
  changes?: ChangeFeed;
  /** Defaults to the system clock. */
  now?: () => Date;
}
