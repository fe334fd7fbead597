export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface EnqueueRequest {
  kind: string;
  payload: unknown;
  /** At most one queued or running job per (kind, key); a second enqueue returns the first. */
  singletonKey?: string;
  maxAttempts?: number;
  /** Not before this time. */
  runAt?: Date;
}

export interface ClaimedJob {
  id: string;
  kind: string;
  payload: unknown;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  owner: string;
}

export interface JobRecord {
  id: string;
  kind: string;
  payload: unknown;
  state: JobState;
  singletonKey: string | null;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface QueueOptions {
  /** How long a claim holds without a heartbeat. */
  leaseMs: number;
  /** Retry delay after the first failure; doubles per attempt up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  defaultMaxAttempts: number;
}

export const DEFAULT_QUEUE_OPTIONS: Readonly<QueueOptions> = Object.freeze({
  leaseMs: 60_000,
  backoffBaseMs: 5_000,
  backoffMaxMs: 300_000,
  defaultMaxAttempts: 3,
});

/** The NOTIFY channel enqueue signals on; the payload is the job kind. */
export const JOB_CHANNEL = 'portcullis_jobs';
