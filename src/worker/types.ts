import type { Logger } from 'pino';
import type { ZodType } from 'zod';

export interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the lease is lost or the worker drains past its deadline. */
  signal: AbortSignal;
  log: Logger;
}

/** One kind of job: its payload schema, its handler and what a final failure means. */
export interface JobDefinition<Payload = unknown> {
  kind: string;
  payload: ZodType<Payload>;
  maxAttempts?: number;
  run(payload: Payload, ctx: JobContext): Promise<void>;
  /** Errors that retrying cannot fix (bad reference, denied): the job fails at once. */
  isPermanent?(error: unknown): boolean;
  /** Called once when the job has failed for good (attempts spent or lease expired last). */
  onFinalFailure?(payload: Payload, error: string, log: Logger): Promise<void>;
}

/** Erases the payload type so definitions of different kinds sit in one list. */
export function defineJob<P>(definition: JobDefinition<P>): JobDefinition {
  return definition as unknown as JobDefinition;
}
