/**
 * What the use cases need from outside the core. The store implements the vulnerability-data
 * port; the roots (CLI, worker, API) supply an observer bound to their own logger.
 */
import type { Advisory } from '../advisories/model.js';
import type { AdvisorySource } from '../matching/types.js';

/** One imported feed, as the database reports it. */
export interface FeedSummary {
  source: string;
  /** ISO 8601 instant of the last successful import. */
  lastSync: string;
  records: number;
}

/** The vulnerability database: advisories and enrichment for matching, plus its state. */
export interface VulnerabilityData extends AdvisorySource {
  /** Every imported feed; empty when nothing was ever imported. */
  status(): Promise<readonly FeedSummary[]>;
  /** The advisory namespaces each feed holds (`debian:12`, `npm`...), by feed name. */
  coverage(): Promise<ReadonlyMap<string, readonly string[]>>;
  /** Whether any feed holds an advisory in `namespace` (`amzn:2023`): one index probe. */
  holdsNamespace(namespace: string): Promise<boolean>;
  /** Records whose id or an alias is one of `ids` (exact spelling), in any namespace. */
  advisoriesById(ids: readonly string[]): Promise<Advisory[]>;
}

export type PipelineStage = 'open' | 'catalog' | 'match' | 'suppress' | 'evaluate';

/**
 * Progress and warnings of one use case. Every method is optional: a root implements what it
 * shows (a terminal progress line, structured log records with a job id).
 */
export interface PipelineObserver {
  stage?(stage: PipelineStage, detail: { source: string }): void;
  /** A layer's stream was opened (`index` of `total`, bottom first). */
  layerStarted?(detail: { source: string; index: number; total: number; diffId: string }): void;
  /**
   * Uncompressed bytes of layer `index` read so far, told as they stream (often: a root that
   * draws it should throttle). Implementing it costs a pass-through stream per layer.
   */
  layerBytes?(detail: { source: string; index: number; total: number; bytes: number }): void;
  warning?(message: string, detail?: Record<string, unknown>): void;
}

/** Cancellation and observation, shared by every request. */
export interface RequestContext {
  /** Aborting stops downloads, decompression, cataloging and matching; the use case rejects. */
  signal?: AbortSignal;
  observer?: PipelineObserver;
}
