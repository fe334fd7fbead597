/**
 * Runs jobs from the queue: up to `concurrency` at once, heartbeats that keep each lease, a
 * reaper pass that takes back jobs of dead workers, and a drain on stop that lets running
 * jobs finish (or gives them back to the queue when the deadline passes).
 */
import type { Logger } from 'pino';
import { describeError } from '../core/errors.js';
import type { JobQueue } from '../queue/queue.js';
import type { ClaimedJob, JobRecord } from '../queue/types.js';
import type { JobDefinition } from './types.js';

export interface RunnerOptions {
  /** Identifies this worker in leases (host:pid:random). */
  owner: string;
  concurrency: number;
  /** Poll interval when no wake-up arrives. */
  pollMs: number;
  /** How long stop() waits for running jobs before giving them back. */
  drainTimeoutMs: number;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
  drained: boolean;
}

export class WorkerRunner {
  private readonly byKind: ReadonlyMap<string, JobDefinition>;
  private readonly running = new Map<string, Running>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly queue: JobQueue,
    jobs: readonly JobDefinition[],
    private readonly options: RunnerOptions,
    private readonly log: Logger,
  ) {
    this.byKind = new Map(jobs.map((j) => [j.kind, j]));
  }

  start(): void {
    if (this.loop) return;
    this.unsubscribe = this.queue.onWake((kind) => {
      if (kind === '*' || this.byKind.has(kind)) this.wakeUp?.();
    });
    this.loop = this.run();
  }

  /** Number of jobs running now. */
  get active(): number {
    return this.running.size;
  }

  /** Stops claiming, waits for running jobs up to the drain deadline, gives back the rest. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wakeUp?.();
    await this.loop;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>(
      (resolve) => (timer = setTimeout(() => resolve('late'), this.options.drainTimeoutMs)),
    );
    if ((await Promise.race([all, deadline])) === 'late') {
      for (const r of this.running.values()) {
        r.drained = true;
        r.controller.abort(new Error('worker is shutting down'));
      }
      await all;
    }
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    const kinds = [...this.byKind.keys()];
    while (!this.stopping) {
      let claimedAll = false;
      try {
        for (const failed of await this.queue.reapExpired(kinds))
          await this.finalFailure(failed.kind, failed.payload, failed.lastError ?? 'failed', failed);
        const free = this.options.concurrency - this.running.size;
        if (free > 0) {
          const jobs = await this.queue.claim(this.options.owner, kinds, free);
          for (const job of jobs) this.launch(job);
          claimedAll = jobs.length === free;
        }
      } catch (err) {
        this.log.error({ err }, 'job queue poll failed');
      }
      if (!claimedAll || this.running.size >= this.options.concurrency) await this.idle();
    }
  }

  /** Waits for a wake-up, a finished job or the poll interval. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, this.options.pollMs);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = finish;
      if (this.stopping) finish();
    });
  }

  private launch(job: ClaimedJob): void {
    const controller = new AbortController();
    const entry: Running = { controller, drained: false, done: Promise.resolve() };
    entry.done = this.execute(job, entry).finally(() => {
      this.running.delete(job.id);
      this.wakeUp?.();
    });
    this.running.set(job.id, entry);
  }

  private async execute(job: ClaimedJob, entry: Running): Promise<void> {
    const definition = this.byKind.get(job.kind);
    const log = this.log.child({ jobId: job.id, kind: job.kind, attempt: job.attempt });
    const heartbeat = setInterval(
      () => {
        this.queue.heartbeat(job).then(
          (held) => held || entry.controller.abort(new Error('the job lease was lost to another worker')),
          (err: unknown) => log.warn({ err }, 'job heartbeat failed'),
        );
      },
      Math.max(50, Math.floor(this.queue.options.leaseMs / 3)),
    );
    try {
      if (!definition) throw new Error(`no handler for job kind "${job.kind}"`);
      const parsed = definition.payload.safeParse(job.payload);
      if (!parsed.success) {
        await this.settleFailure(job, definition, `invalid job payload: ${parsed.error.message}`, true, log);
        return;
      }
      const started = Date.now();
      await definition.run(parsed.data, {
        jobId: job.id,
        attempt: job.attempt,
        maxAttempts: job.maxAttempts,
        signal: entry.controller.signal,
        log,
      });
      if (!(await this.queue.complete(job))) log.warn('job finished after its lease was taken over');
      else log.info({ ms: Date.now() - started }, 'job succeeded');
    } catch (err) {
      if (entry.drained) {
        await this.queue.release(job);
        log.info('job given back to the queue on shutdown');
      } else if (definition) {
        await this.settleFailure(
          job,
          definition,
          describeError(err),
          definition.isPermanent?.(err) ?? false,
          log,
          err,
        );
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async settleFailure(
    job: ClaimedJob,
    definition: JobDefinition,
    error: string,
    permanent: boolean,
    log: Logger,
    err?: unknown,
  ): Promise<void> {
    const state = await this.queue.fail(job, error, { final: permanent });
    log.warn({ err, state }, 'job failed');
    if (state === 'failed') await this.finalFailure(definition.kind, job.payload, error);
  }

  private async finalFailure(
    kind: string,
    payload: unknown,
    error: string,
    record?: JobRecord,
  ): Promise<void> {
    const definition = this.byKind.get(kind);
    const parsed = definition?.payload.safeParse(payload);
    if (!definition?.onFinalFailure || !parsed?.success) return;
    const log = this.log.child({ jobId: record?.id, kind });
    try {
      await definition.onFinalFailure(parsed.data, error, log);
    } catch (err) {
      log.error({ err }, 'recording a failed job failed');
    }
  }
}
