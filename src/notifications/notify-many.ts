/**
 * The bulk form of `Notifier.notify` and `Notifier.recordEvent` for the re-match after a feed
 * sync (issue 13): the same rows (outbox row and delivery job per notification, event row and,
 * at or above the account's event_log level, its outbox row and job), written with one
 * multi-row statement each instead of a transaction per notification. Subscriptions, endpoints
 * and account e-mails are read once per chunk.
 */
import { randomUUID } from 'node:crypto';
import type { JobQueue } from '../queue/queue.js';
import { toEvent, type EventInput, type EventRecord, type EventRow } from '../store/repositories/events.js';
import { documentParams, documentsSql, rowsWithDocuments } from '../store/json-slices.js';
import type { Sql } from '../store/sql.js';
import { wakeStreams } from './deliver.js';
import { hasEndpoint } from './endpoints.js';
import { anchoreEvent, atOrAbove, eventLogLevel } from './event-log.js';
import { notificationData, notificationPayload, type TypePayload } from './payloads.js';
import type { NotificationType } from './types.js';

export interface WantedNotification {
  accountName: string;
  tag: string;
  payload: TypePayload;
}

interface OutboxInsert {
  accountName: string;
  type: NotificationType;
  stream: string;
  payload: (id: string) => Record<string, unknown>;
}

/** Memoizes a per-account lookup for one bulk call. */
function perAccount<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let v = seen.get(key);
    if (!v) seen.set(key, (v = fn(key)));
    return v;
  };
}

async function insertOutbox(
  db: Sql,
  queue: JobQueue,
  deadline: Date,
  rows: readonly OutboxInsert[],
): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map(() => `msg_${randomUUID()}`);
  // Each payload (a diff can be kilobytes) travels as its own JSON text beside the small
  // columns: on a server it is parsed on its own into its jsonb (ADR 0042).
  const sent = rowsWithDocuments(
    db.kind,
    rows.map((r, i) => ({ i: ids[i], a: r.accountName, t: r.type, m: r.stream })),
    rows.map((r, i) => JSON.stringify(r.payload(ids[i]!))),
  );
  const documents = documentsSql(db.kind, 'jsonb', 3);
  await db.query(
    `INSERT INTO notification (id, account_name, notification_type, stream, payload, state, deadline)
     SELECT x.i, x.a, x.t, x.m, ${documents.value('x')}, 'pending', $2
     FROM ROWS FROM (${documents.rows} AS (i text, a text, t text, m text, ${documents.columns}))
       WITH ORDINALITY AS x(i, a, t, m, ${documents.names}, n)
     ORDER BY x.n`,
    documentParams(sent, deadline),
  );
  await wakeStreams(queue, db, rows);
}

const emailOf = (db: Sql) =>
  perAccount(async (accountName) => {
    const { rows } = await db.query<{ email: string | null }>('SELECT email FROM account WHERE name = $1', [
      accountName,
    ]);
    return rows[0]?.email ?? null;
  });

/**
 * Queues each wanted notification whose tag is subscribed (active) and whose account has an
 * endpoint for its type, as `notify` does one by one. Returns how many were queued.
 */
export async function notifyMany(
  db: Sql,
  queue: JobQueue,
  deadlineMs: number,
  wanted: readonly WantedNotification[],
): Promise<number> {
  if (wanted.length === 0) return 0;
  const key = (a: string, t: string, k: string) => `${a}\u0000${t}\u0000${k}`;
  const { rows } = await db.query<{ a: string; t: string; k: string }>(
    `SELECT DISTINCT s.account_name AS a, s.subscription_type AS t, s.subscription_key AS k
     FROM subscription s JOIN jsonb_to_recordset($1::jsonb) AS w(a text, t text, k text)
       ON s.account_name = w.a AND s.subscription_type = w.t AND s.subscription_key = w.k
     WHERE s.active`,
    [JSON.stringify(wanted.map((w) => ({ a: w.accountName, t: w.payload.type, k: w.tag })))],
  );
  const subscribed = new Set(rows.map((r) => key(r.a, r.t, r.k)));
  const endpoint = perAccount(async (k) => {
    const [accountName, type] = k.split('\u0000') as [string, NotificationType];
    return hasEndpoint(db, accountName, type);
  });
  const email = emailOf(db);
  const out: OutboxInsert[] = [];
  for (const w of wanted) {
    const type = w.payload.type;
    if (!subscribed.has(key(w.accountName, type, w.tag))) continue;
    if (!(await endpoint(`${w.accountName}\u0000${type}`))) continue;
    const subject = { accountName: w.accountName, accountEmail: await email(w.accountName), tag: w.tag };
    out.push({
      accountName: w.accountName,
      type,
      stream: `${type}:${w.tag}`,
      payload: (id) => notificationData(subject, notificationPayload(id, subject, w.payload), type),
    });
  }
  await insertOutbox(db, queue, new Date(Date.now() + deadlineMs), out);
  return out.length;
}

/** Writes the events in order and forwards those at or above each account's event_log level. */
export async function recordEvents(
  db: Sql,
  queue: JobQueue,
  deadlineMs: number,
  inputs: readonly EventInput[],
): Promise<EventRecord[]> {
  if (inputs.length === 0) return [];
  const ids = inputs.map(() => randomUUID());
  const { rows } = await db.query<EventRow>(
    `INSERT INTO event (id, account_name, type, level, category, message, details, resource_type, resource_id, source_service, source_host)
     SELECT i, a, t, l, c, m, d, rt, ri, ss, sh FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (i text, a text, t text, l text, c text, m text, d jsonb, rt text, ri text, ss text, sh text)) WITH ORDINALITY
       AS x(i, a, t, l, c, m, d, rt, ri, ss, sh, n)
     ORDER BY n RETURNING *`,
    [
      JSON.stringify(
        inputs.map((e, n) => ({
          i: ids[n],
          a: e.accountName,
          t: e.type,
          l: e.level,
          c: e.category ?? 'user',
          m: e.message,
          d: e.details ?? {},
          rt: e.resourceType,
          ri: e.resourceId,
          ss: e.sourceService,
          sh: e.sourceHost,
        })),
      ),
    ],
  );
  const byId = new Map(rows.map((r) => [r.id, toEvent(r)] as const));
  const events = ids.map((id) => byId.get(id)).filter((e): e is EventRecord => e !== undefined);
  const threshold = perAccount((accountName) => eventLogLevel(db, accountName));
  const email = emailOf(db);
  const out: OutboxInsert[] = [];
  for (const event of events) {
    const level = await threshold(event.accountName);
    if (level === undefined || !atOrAbove(event.level, level)) continue;
    const subject = {
      accountName: event.accountName,
      accountEmail: await email(event.accountName),
      tag: event.level,
    };
    const payload = { type: 'event_log' as const, event: anchoreEvent(event) };
    out.push({
      accountName: event.accountName,
      type: 'event_log',
      stream: 'event_log',
      payload: (id) => notificationData(subject, notificationPayload(id, subject, payload), 'event_log'),
    });
  }
  await insertOutbox(db, queue, new Date(Date.now() + deadlineMs), out);
  return events;
}
