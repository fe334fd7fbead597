/**
 * Delivers one stream's notifications in order. A failed post is recorded, then retried with
 * exponential backoff and jitter (a queued job at the next attempt time, in the same
 * transaction as the outbox update) until the notification's deadline; a later notification
 * of the stream waits for the earlier one, so receivers see each stream in order.
 */
import type { Logger } from 'pino';
import { Agent, fetch } from 'undici';
import { JOB_KINDS } from '../queue/kinds.js';
import type { JobQueue } from '../queue/queue.js';
import type { SecretBox } from '../store/repositories/secret-box.js';
import type { Sql } from '../store/sql.js';
import { NotificationEndpoints } from './endpoints.js';
import { NotificationOutbox, type OutboxRow } from './outbox.js';
import { anchoreEnvelope } from './payloads.js';
import { signWebhook } from './sign.js';
import { slackMessage } from './slack.js';
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

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

async function post(deps: DeliveryDeps, row: OutboxRow): Promise<Outcome & { url: string }> {
  const endpoint = await new NotificationEndpoints(deps.db, deps.box).endpointFor(row.accountName, row.type);
  if (!endpoint) return { ok: false, status: null, error: 'no endpoint configured', url: '' };
  // Attempts record the shortened URL: a Slack URL is a credential.
  const url = endpoint.shown;
  const redact = (message: string) => message.split(endpoint.url).join(url);
  let vetted: Awaited<ReturnType<UrlGuard['vet']>>;
  try {
    vetted = await deps.guard.vet(endpoint.url);
  } catch (error) {
    return { ok: false, status: null, error: redact((error as Error).message), url };
  }
  const notification = row.payload;
  const body = JSON.stringify(
    endpoint.sink === 'slack'
      ? slackMessage(
          row.type,
          notification.notification_payload as Record<string, unknown>,
          deps.options.linkBase,
        )
      : anchoreEnvelope({
          id: row.id,
          type: row.type,
          accountName: row.accountName,
          data: notification,
          createdAt: row.createdAt,
          deadline: row.deadline,
          attempt: row.attempts,
        }),
  );
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.sink === 'webhook') {
    Object.assign(headers, signWebhook(endpoint.secret, row.id, Math.floor(Date.now() / 1000), body));
  }
  // Connect to the address the guard vetted, never to a second lookup's answer (DNS rebinding);
  // the URL's host still names the server for TLS (SNI, certificate) and the Host header.
  const pinned = vetted.addresses[0];
  const dispatcher = new Agent({
    connect: {
      lookup: (_host, options, callback) => {
        if (!pinned) return callback(new Error('no vetted address'), '', 4);
        if ((options as { all?: boolean }).all)
          return (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
            pinned,
          ]);
        return callback(null, pinned.address, pinned.family);
      },
    },
  });
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual', // a redirect could lead past the SSRF guard
      signal: AbortSignal.timeout(deps.options.timeoutMs),
      dispatcher,
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, url };
    return { ok: false, status: response.status, error: `HTTP ${response.status}`, url };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, status: null, error: redact(cause ?? (error as Error).message), url };
  } finally {
    void dispatcher.close();
  }
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
  for (;;) {
    const head = await outbox.head(accountName, stream);
    if (!head || head.nextAttemptAt.getTime() > Date.now()) return result;
    const row = await outbox.claim(head.id, deps.options.timeoutMs * 3);
    if (!row) return result; // another worker is sending it and goes on with the stream
    const outcome = await post(deps, row);
    await outbox.recordAttempt(row.id, {
      attempt: row.attempts,
      url: outcome.url,
      status: outcome.status,
      error: outcome.ok ? null : outcome.error,
    });
    if (outcome.ok) {
      await outbox.markDelivered(row.id);
      result.delivered.push(row.id);
      continue;
    }
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
