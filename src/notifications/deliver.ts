/**
 * Delivers one stream's notifications in order. A failed post is recorded, then retried with
 * exponential backoff and jitter (a queued job at the next attempt time, in the same
 * transaction as the outbox update) until the notification's deadline; a later notification
 * of the stream waits for the earlier one, so receivers see each stream in order. A run's rows
 * are claimed together and their successes recorded in one statement (outbox `claimRun`,
 * `settle`), so a delivery costs a fraction of a statement on a healthy stream.
 */
import type { Logger } from 'pino';
import { JOB_KINDS } from '../queue/kinds.js';
import type { JobQueue } from '../queue/queue.js';
import type { SecretBox } from '../store/repositories/secret-box.js';
import type { Sql } from '../store/sql.js';
import { NotificationOutbox, type AttemptRow, type OutboxRow } from './outbox.js';
import { StreamSender } from './sender.js';
import type { UrlGuard } from './ssrf.js';

export const DELIVER_NOTIFICATION_JOB = JOB_KINDS.deliverNotification;

export interface DeliveryOptions {
  /** How long a notification is retried after it was created (default 24 h). */
  deadlineMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** One post's time limit. */
  timeoutMs: number;
  /** The API's public base URL, for links in Slack messages. */
  linkBase?: string;
}

export const DEFAULT_DELIVERY_OPTIONS: Readonly<DeliveryOptions> = Object.freeze({
  deadlineMs: 24 * 3600_000,
  retryBaseMs: 10_000,
  retryMaxMs: 3600_000,
  timeoutMs: 10_000,
});

export interface DeliveryDeps {
  db: Sql;
  /** Opens the endpoint's sealed URL and secret. */
  box: SecretBox;
  queue: JobQueue;
  guard: UrlGuard;
  options: DeliveryOptions;
  log: Logger;
}

/**
 * Queues a delivery run of the stream in the caller's transaction, unless a run is queued and
 * not started yet: that run starts from the stream's head after this transaction commits, so it
 * delivers the new row too (one job per burst, not one per notification). The queued job is
 * locked until commit, so a worker cannot start it in between (claims skip locked jobs); a job
 * already started does not count.
 */
export async function wakeStream(
  queue: JobQueue,
  tx: Sql,
  accountName: string,
  stream: string,
): Promise<void> {
  await wakeStreams(queue, tx, [{ accountName, stream }]);
}

/** `wakeStream` for many streams at once (bulk notifications): one query, one insert. */
export async function wakeStreams(
  queue: JobQueue,
  tx: Sql,
  streams: readonly { accountName: string; stream: string }[],
): Promise<void> {
  const key = (a: string, s: string) => `${a}\n${s}`;
  const distinct = [
    ...new Map(
      streams.map((p) => [key(p.accountName, p.stream), { accountName: p.accountName, stream: p.stream }]),
    ).values(),
  ];
  if (distinct.length === 0) return;
  const { rows } = await tx.query<{ a: string; s: string }>(
    `SELECT payload->>'accountName' AS a, payload->>'stream' AS s FROM job
     WHERE state = 'queued' AND kind = $1 AND payload = ANY($2::jsonb[]) FOR UPDATE`,
    [DELIVER_NOTIFICATION_JOB, distinct.map((p) => JSON.stringify(p))],
  );
  const awake = new Set(rows.map((r) => key(r.a, r.s)));
  await queue.enqueueMany(
    distinct
      .filter((p) => !awake.has(key(p.accountName, p.stream)))
      .map((payload) => ({ kind: DELIVER_NOTIFICATION_JOB, payload })),
    tx,
  );
}

/** Full jitter over the upper half: spreads retries of many streams that failed together. */
export function retryDelay(
  attempt: number,
  options: Pick<DeliveryOptions, 'retryBaseMs' | 'retryMaxMs'>,
): number {
  const ceiling = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.max(attempt - 1, 0));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export interface StreamResult {
  delivered: string[];
  expired: string[];
  /** When the head of the stream is tried next (a job is queued for then). */
  retryAt?: Date;
}

export async function deliverStream(
  deps: DeliveryDeps,
  accountName: string,
  stream: string,
): Promise<StreamResult> {
  const outbox = new NotificationOutbox(deps.db);
  const result: StreamResult = { delivered: [], expired: [] };
  // One endpoint read and one kept-alive connection for the whole run of the stream.
  const sender = new StreamSender(deps);
  try {
    return await deliverRun(deps, outbox, sender, accountName, stream, result);
  } finally {
    await sender.close();
  }
}

/** Rows claimed per statement: the first claim of a run is small (a failing head needs one). */
export const FIRST_CLAIM = 8;
export const RUN_CLAIM = 64;

async function deliverRun(
  deps: DeliveryDeps,
  outbox: NotificationOutbox,
  sender: StreamSender,
  accountName: string,
  stream: string,
  result: StreamResult,
): Promise<StreamResult> {
  const { timeoutMs } = deps.options;
  for (;;) {
    // A run of the stream from its head, claimed when due; nothing when the head waits for a
    // retry or another worker is sending it (that worker goes on with the stream).
    // Posts start only in the claim's first `timeoutMs`, so at least twice that is left to record.
    const hold = timeoutMs * 4;
    const claimedAt = Date.now();
    const rows = await outbox.claimRun(
      accountName,
      stream,
      result.delivered.length ? RUN_CLAIM : FIRST_CLAIM,
      hold,
    );
    if (!rows.length) return result;
    const delivered: { id: string; attempt: AttemptRow }[] = [];
    let failed: { row: OutboxRow; attempt: AttemptRow; error: string } | undefined;
    let posted = 0;
    // Posted in order until the first failure.
    while (posted < rows.length && (posted === 0 || Date.now() < claimedAt + timeoutMs)) {
      const row = rows[posted++]!;
      const outcome = await sender.post(row);
      const attempt = {
        attempt: row.attempts,
        url: outcome.url,
        status: outcome.status,
        error: outcome.ok ? null : outcome.error,
      };
      if (!outcome.ok) {
        failed = { row, attempt, error: outcome.error };
        break;
      }
      delivered.push({ id: row.id, attempt });
    }
    // One statement records every success of the run and gives back the rows not posted.
    await outbox.settle(
      delivered,
      rows.slice(posted).map((r) => r.id),
    );
    result.delivered.push(...delivered.map((d) => d.id));
    if (!failed) continue;
    const { row } = failed;
    await outbox.recordAttempt(row.id, failed.attempt);
    const at = new Date(Date.now() + retryDelay(row.attempts, deps.options));
    if (at.getTime() > row.deadline.getTime()) {
      deps.log.warn(
        { notification: row.id, attempts: row.attempts, error: failed.error },
        'notification given up',
      );
      await outbox.markExpired(row.id);
      result.expired.push(row.id);
      continue;
    }
    await deps.db.transaction(async (tx) => {
      await new NotificationOutbox(tx).markRetry(row.id, at, tx);
      await deps.queue.enqueue(
        { kind: DELIVER_NOTIFICATION_JOB, payload: { accountName, stream }, runAt: at },
        tx,
      );
    });
    result.retryAt = at;
    return result;
  }
}
