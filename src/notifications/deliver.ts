/**
 * Delivers one stream's notifications in order. A failed post is recorded, then retried with
 * exponential backoff and jitter (a queued job at the next attempt time, in the same
 * transaction as the outbox update) until the notification's deadline; a later notification
 * of the stream waits for the earlier one, so receivers see each stream in order.
 */
import type { Logger } from 'pino';
import { JOB_KINDS } from '../queue/kinds.js';
import type { JobQueue } from '../queue/queue.js';
import type { SecretBox } from '../store/repositories/secret-box.js';
import type { Sql } from '../store/sql.js';
import { NotificationOutbox } from './outbox.js';
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

async function deliverRun(
  deps: DeliveryDeps,
  outbox: NotificationOutbox,
  sender: StreamSender,
  accountName: string,
  stream: string,
  result: StreamResult,
): Promise<StreamResult> {
  for (;;) {
    // The stream's head, claimed when due; nothing when it waits for a retry or another worker
    // is sending it (that worker goes on with the stream).
    const row = await outbox.claimHead(accountName, stream, deps.options.timeoutMs * 3);
    if (!row) return result;
    const outcome = await sender.post(row);
    const attempt = {
      attempt: row.attempts,
      url: outcome.url,
      status: outcome.status,
      error: outcome.ok ? null : outcome.error,
    };
    if (outcome.ok) {
      await outbox.markDelivered(row.id, attempt);
      result.delivered.push(row.id);
      continue;
    }
    await outbox.recordAttempt(row.id, attempt);
    const at = new Date(Date.now() + retryDelay(row.attempts, deps.options));
    if (at.getTime() > row.deadline.getTime()) {
      deps.log.warn(
        { notification: row.id, attempts: row.attempts, error: outcome.error },
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
