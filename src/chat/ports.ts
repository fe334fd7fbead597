/**
 * What the chat commands ask of the service, as one small port: the store-backed implementation
 * is `store-queries.ts`; the answers (`answers.ts`) know nothing of SQL, queues or HTTP.
 */
import type { NormalizedSeverity } from '../core/matching/types.js';
import type { FindingsSummary } from '../core/report/html/summary.js';

export interface AffectedImage {
  /** A tag of the image (registry/repo:tag), else its digest. */
  reference: string;
  digest: string;
  worst: NormalizedSeverity;
  packages: { name: string; version: string; severity: NormalizedSeverity; fix: string }[];
}

export interface PackageImage {
  reference: string;
  digest: string;
  packages: { name: string; version: string; type: string }[];
}

export type ChatAnalysisStatus =
  'not_analyzed' | 'analysis_queued' | 'analyzing' | 'analyzed' | 'analysis_failed';

export interface ImageVerdict {
  reference: string;
  digest: string;
  status: ChatAnalysisStatus;
  /** The active bundle's decision once analysed. */
  verdict?: { status: 'pass' | 'fail'; finalAction: string; bundle: string };
  counts?: Pick<FindingsSummary, 'bySeverity' | 'total' | 'fixable'>;
  error?: string;
}

export interface ChatQueries {
  imagesByVulnerability(account: string, id: string): Promise<{ total: number; images: AffectedImage[] }>;
  imagesByPackage(
    account: string,
    name: string,
    version?: string,
  ): Promise<{ total: number; images: PackageImage[] }>;
  /** Undefined when the account has no image by that tag or digest. */
  imageVerdict(account: string, reference: string): Promise<ImageVerdict | undefined>;
  /** Resolves the reference in its registry, records the image and queues its analysis. */
  requestScan(
    account: string,
    reference: string,
  ): Promise<{ reference: string; digest: string; status: ChatAnalysisStatus }>;
  /** Waits until the digest's analysis ends (analysed or failed); rejects when `signal` aborts. */
  waitForAnalysis(account: string, digest: string, signal: AbortSignal): Promise<ChatAnalysisStatus>;
}

/** A Slack workspace the service answers, and the account its commands act in. */
export interface SlackWorkspace {
  /** Slack's `team_id`. */
  teamId: string;
  signingSecret: string;
  account: string;
}
