/**
 * Jobs on PostgreSQL (PGlite or a server), ADR 0010: a lease table claimed with
 * FOR UPDATE SKIP LOCKED. A job whose lease expires (its worker died) is queued again, or
 * fails for good once its attempts are spent; failures retry with exponential backoff.
 */
import { EventEmitter } from 'node:events';
import type { Sql } from '../store/sql.js';
import {
  DEFAULT_QUEUE_OPTIONS,
  JOB_CHANNEL,
  type ClaimedJob,
  type EnqueueRequest,
  type JobRecord,
  type JobState,
  type QueueOptions,
} from './types.js';

interface JobRow {
  id: string | number;
  kind: string;
  payload: unknown;
  state: JobState;
  singleton_key: string | null;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
  lease_owner: string | null;
}

const toRecord = (r: JobRow): JobRecord => ({
  id: String(r.id),
  kind: r.kind,
  payload: r.payload,
  state: r.state,
  singletonKey: r.singleton_key,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAt: r.run_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

const toClaimed = (r: JobRow): ClaimedJob => ({
  id: String(r.id),
  kind: r.kind,
  payload: r.payload,
  attempt: r.attempts,
  maxAttempts: r.max_attempts,
  owner: r.lease_owner ?? '',
});

// Retry delay in milliseconds for the attempt just made ($n = base, $m = max).
const BACKOFF = (base: string, max: string) =>
  `LEAST(${max}::double precision, ${base} * power(2, GREATEST(attempts - 1, 0)))`;

export const LEASE_EXPIRED_ERROR = 'lease expired: the worker stopped without finishing the job';

export class JobQueue {
  readonly options: QueueOptions;
  private readonly wake = new EventEmitter();

  constructor(
    private readonly db: Sql,
    options: Partial<QueueOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_QUEUE_OPTIONS, ...options });
    this.wake.setMaxListeners(0);
  }

  /** Queues a job (inside the caller's transaction when `db` is one) and wakes idle workers. */
  async enqueue(request: EnqueueRequest, db: Sql = this.db): Promise<{ id: string; created: boolean }> {
    const params = [
      request.kind,
      JSON.stringify(request.payload ?? null),
      request.singletonKey ?? null,
      request.maxAttempts ?? this.options.defaultMaxAttempts,
      request.runAt ?? null,
    ];
    const { rows } = await db.query<{ id: string | number }>(
      `INSERT INTO job (kind, payload, state, singleton_key, max_attempts, run_at)
       VALUES ($1, $2, 'queued', $3, $4, COALESCE($5::timestamptz, now()))
       ON CONFLICT (kind, singleton_key) WHERE singleton_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
       RETURNING id`,
      params,
    );
    if (rows[0]) {
      await db.query('SELECT pg_notify($1, $2)', [JOB_CHANNEL, request.kind]);
      this.wake.emit('job', request.kind);
      return { id: String(rows[0].id), created: true };
    }
    const existing = await db.query<{ id: string | number }>(
      `SELECT id FROM job WHERE kind = $1 AND singleton_key = $2 AND state IN ('queued', 'running')`,
      [request.kind, request.singletonKey],
    );
    return { id: String(existing.rows[0]?.id ?? ''), created: false };
  }

  /**
   * Queues many jobs without a singleton key in one statement (the re-match wakes every
   * notification stream of a chunk at once) and wakes idle workers once per kind.
   */
  async enqueueMany(
    requests: readonly Omit<EnqueueRequest, 'singletonKey'>[],
    db: Sql = this.db,
  ): Promise<void> {
    if (requests.length === 0) return;
    await db.query(
      `INSERT INTO job (kind, payload, state, max_attempts, run_at)
       SELECT k, p, 'queued', m, COALESCE(r, now())
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (k text, p jsonb, m integer, r timestamptz)) WITH ORDINALITY
       AS x(k, p, m, r, n)
       ORDER BY n`,
      [
        JSON.stringify(
          requests.map((r) => ({
            k: r.kind,
            p: r.payload ?? null,
            m: r.maxAttempts ?? this.options.defaultMaxAttempts,
            r: r.runAt ?? null,
          })),
        ),
      ],
    );
    for (const kind of new Set(requests.map((r) => r.kind))) {
      await db.query('SELECT pg_notify($1, $2)', [JOB_CHANNEL, kind]);
      this.wake.emit('job', kind);
    }
  }

  /** Claims up to `limit` due jobs of these kinds for `owner`. */
  async claim(owner: string, kinds: readonly string[], limit: number): Promise<ClaimedJob[]> {
    if (limit <= 0 || kinds.length === 0) return [];
    const { rows } = await this.db.query<JobRow>(
      `WITH next AS (
         SELECT id FROM job WHERE state = 'queued' AND run_at <= now() AND kind = ANY($1::text[])
         ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE job SET state = 'running', attempts = job.attempts + 1, lease_owner = $3,
         lease_expires_at = now() + $4 * interval '1 millisecond', updated_at = now()
       FROM next WHERE job.id = next.id RETURNING job.*`,
      [[...kinds], limit, owner, this.options.leaseMs],
    );
    return rows.map(toClaimed).sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Extends the lease; false when the job is no longer this owner's (it must stop). */
  async heartbeat(job: ClaimedJob): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE job SET lease_expires_at = now() + $3 * interval '1 millisecond', updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
      [job.id, job.owner, this.options.leaseMs],
    );
    return rows.length > 0;
  }

  /** Marks the job done; false when the lease was lost meanwhile (another worker owns it). */
  async complete(job: ClaimedJob, db: Sql = this.db): Promise<boolean> {
    const { rows } = await db.query(
      `UPDATE job SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, finished_at = now(), updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
      [job.id, job.owner],
    );
    return rows.length > 0;
  }

  /** Records a failure: queued again after a backoff, or failed for good. 'lost' if not ours. */
  async fail(
    job: ClaimedJob,
    error: string,
    options: { final?: boolean } = {},
  ): Promise<'queued' | 'failed' | 'lost'> {
    const { rows } = await this.db.query<{ state: 'queued' | 'failed' }>(
      `UPDATE job SET state = CASE WHEN $6 OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         run_at = now() + ${BACKOFF('$3', '$4')} * interval '1 millisecond',
         finished_at = CASE WHEN $6 OR attempts >= max_attempts THEN now() END,
         last_error = $5, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING state`,
      [
        job.id,
        job.owner,
        this.options.backoffBaseMs,
        this.options.backoffMaxMs,
        error.slice(0, 4000),
        options.final ?? false,
      ],
    );
    return rows[0]?.state ?? 'lost';
  }

  /** Gives a claimed job back without spending an attempt (a draining worker). */
  async release(job: ClaimedJob): Promise<void> {
    await this.db.query(
      `UPDATE job SET state = 'queued', attempts = attempts - 1, run_at = now(), lease_owner = NULL,
         lease_expires_at = NULL, updated_at = now() WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
      [job.id, job.owner],
    );
    this.wake.emit('job', job.kind);
  }

  /**
   * Takes back jobs of these kinds whose lease expired: queued again (after the backoff), or failed when their
   * attempts are spent. Returns the ones failed for good, so their kinds can record it.
   */
  async reapExpired(kinds: readonly string[]): Promise<JobRecord[]> {
    const { rows } = await this.db.query<JobRow>(
      `WITH expired AS (
         SELECT id FROM job WHERE state = 'running' AND lease_expires_at < now() AND kind = ANY($4::text[])
         FOR UPDATE SKIP LOCKED)
       UPDATE job SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         run_at = now() + ${BACKOFF('$1', '$2')} * interval '1 millisecond',
         finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
         last_error = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       FROM expired WHERE job.id = expired.id RETURNING job.*`,
      [this.options.backoffBaseMs, this.options.backoffMaxMs, LEASE_EXPIRED_ERROR, [...kinds]],
    );
    if (rows.some((r) => r.state === 'queued')) this.wake.emit('job', '*');
    return rows.filter((r) => r.state === 'failed').map(toRecord);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const { rows } = await this.db.query<JobRow>('SELECT * FROM job WHERE id = $1', [id]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Jobs per state (queue depth for /metrics and /system). */
  async counts(): Promise<Record<JobState, number>> {
    const { rows } = await this.db.query<{ state: JobState; n: string | number }>(
      'SELECT state, count(*) AS n FROM job GROUP BY state',
    );
    const counts: Record<JobState, number> = { queued: 0, running: 0, succeeded: 0, failed: 0 };
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  }

  /** Deletes finished jobs older than the given age. */
  async prune(olderThanMs: number): Promise<number> {
    const { rows } = await this.db.query(
      `DELETE FROM job WHERE state IN ('succeeded', 'failed') AND finished_at < now() - $1 * interval '1 millisecond' RETURNING id`,
      [olderThanMs],
    );
    return rows.length;
  }

  /** Calls `listener` whenever a job may have become ready in this process. */
  onWake(listener: (kind: string) => void): () => void {
    this.wake.on('job', listener);
    return () => this.wake.off('job', listener);
  }

  /** Forwards a wake-up from elsewhere (NOTIFY from another process). */
  notify(kind: string): void {
    this.wake.emit('job', kind);
  }
}
