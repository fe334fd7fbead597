/**
 * The notification outbox: one row per notification and every delivery attempt (endpoints
 * are in endpoints.ts). Rows of one stream (one subscription) are delivered in `seq` order;
 * the head row is claimed before sending so two workers never post the same notification at once.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../store/sql.js';
import type { NotificationType } from './types.js';

export interface OutboxRow {
  id: string;
  accountName: string;
  type: NotificationType;
  stream: string;
  payload: Record<string, unknown>;
  state: 'pending' | 'sending' | 'delivered' | 'expired';
  attempts: number;
  nextAttemptAt: Date;
  claimedUntil: Date | null;
  deadline: Date;
  createdAt: Date;
}

export interface AttemptRow {
  attempt: number;
  url: string;
  status: number | null;
  error: string | null;
}

interface Row {
  id: string;
  account_name: string;
  notification_type: NotificationType;
  stream: string;
  payload: Record<string, unknown>;
  state: OutboxRow['state'];
  attempts: number;
  next_attempt_at: Date;
  claimed_until: Date | null;
  deadline: Date;
  created_at: Date;
}

const toOutbox = (r: Row): OutboxRow => ({
  id: r.id,
  accountName: r.account_name,
  type: r.notification_type,
  stream: r.stream,
  payload: r.payload,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  claimedUntil: r.claimed_until,
  deadline: r.deadline,
  createdAt: r.created_at,
});

export class NotificationOutbox {
  constructor(private readonly db: Sql) {}

  async add(
    input: {
      accountName: string;
      type: NotificationType;
      stream: string;
      payload: (id: string) => Record<string, unknown>;
      deadline: Date;
    },
    db: Sql = this.db,
  ): Promise<string> {
    const id = `msg_${randomUUID()}`;
    await db.query(
      `INSERT INTO notification (id, account_name, notification_type, stream, payload, state, deadline)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6)`,
      [id, input.accountName, input.type, input.stream, JSON.stringify(input.payload(id)), input.deadline],
    );
    return id;
  }

  /**
   * Claims the stream's head (its oldest notification not yet delivered or given up on) for one
   * attempt, in one statement: nothing when the head waits for its next attempt, when another
   * worker holds an unexpired claim on it, or when the stream is empty. Two workers racing for
   * the head: the second's update sees the first's claim and takes nothing.
   */
  async claimHead(accountName: string, stream: string, holdMs: number): Promise<OutboxRow | undefined> {
    const { rows } = await this.db.query<Row>(
      `WITH head AS (
         SELECT id FROM notification WHERE account_name = $1 AND stream = $2 AND state IN ('pending', 'sending')
         ORDER BY seq LIMIT 1)
       UPDATE notification n SET state = 'sending', attempts = n.attempts + 1,
         claimed_until = now() + ($3::double precision * interval '1 millisecond')
       FROM head WHERE n.id = head.id AND n.next_attempt_at <= $4
         AND (n.state = 'pending' OR (n.state = 'sending' AND n.claimed_until < now())) RETURNING n.*`,
      [accountName, stream, holdMs, new Date()],
    );
    return rows[0] && toOutbox(rows[0]);
  }

  /**
   * Claims a run of the stream for one attempt each, in one statement: its open rows from the
   * head in `seq` order, up to `limit`, stopping before the first that is not due or is held by
   * another worker's unexpired claim (so a run never overtakes a waiting row). Returned in `seq`
   * order. On PostgreSQL a racing worker's claim can make the update skip rows it planned; a
   * run that is not a prefix of the plan is released at once and nothing is returned.
   */
  async claimRun(accountName: string, stream: string, limit: number, holdMs: number): Promise<OutboxRow[]> {
    const { rows } = await this.db.query<Row & { seq: string | number; planned: string[] }>(
      `WITH head AS (
         SELECT id, seq, next_attempt_at <= $4 AND (state = 'pending' OR claimed_until < now()) AS ready
         FROM notification WHERE account_name = $1 AND stream = $2 AND state IN ('pending', 'sending')
         ORDER BY seq LIMIT $5),
       run AS (SELECT h.id, h.seq FROM head h WHERE NOT EXISTS (SELECT 1 FROM head b WHERE NOT b.ready AND b.seq <= h.seq))
       UPDATE notification n SET state = 'sending', attempts = n.attempts + 1,
         claimed_until = now() + ($3::double precision * interval '1 millisecond')
       FROM run WHERE n.id = run.id AND n.next_attempt_at <= $4
         AND (n.state = 'pending' OR (n.state = 'sending' AND n.claimed_until < now()))
       RETURNING n.*, (SELECT array_agg(r.id ORDER BY r.seq) FROM run r) AS planned`,
      [accountName, stream, holdMs, new Date(), limit],
    );
    const claimed = rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const planned = claimed[0]?.planned ?? [];
    if (claimed.some((r, i) => planned[i] !== r.id)) {
      await this.settle(
        [],
        claimed.map((r) => r.id),
      );
      return [];
    }
    return claimed.map(toOutbox);
  }

  /**
   * Records a run's outcome in one statement: the delivered rows' successful attempts and their
   * state, and the release of rows claimed but not posted (their attempt is given back).
   */
  async settle(delivered: readonly { id: string; attempt: AttemptRow }[], unsent: readonly string[]) {
    if (!delivered.length && !unsent.length) return;
    const done = delivered.map((d) => ({ id: d.id, ...d.attempt }));
    await this.db.query(
      `WITH d AS (SELECT * FROM json_to_recordset($1::json) AS x(id text, attempt int, url text, status int, error text)),
       recorded AS (
         INSERT INTO notification_attempt (notification_id, attempt, url, status, error)
         SELECT id, attempt, url, status, error FROM d ON CONFLICT (notification_id, attempt) DO NOTHING),
       released AS (
         UPDATE notification SET state = 'pending', attempts = attempts - 1, claimed_until = NULL
         WHERE id = ANY($2::text[]) AND state = 'sending')
       UPDATE notification n SET state = 'delivered', delivered_at = now(), claimed_until = NULL
       FROM d WHERE n.id = d.id`,
      [JSON.stringify(done), unsent],
    );
  }

  async recordAttempt(id: string, attempt: AttemptRow): Promise<void> {
    await this.db.query(
      `INSERT INTO notification_attempt (notification_id, attempt, url, status, error) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (notification_id, attempt) DO NOTHING`,
      [id, attempt.attempt, attempt.url, attempt.status, attempt.error],
    );
  }

  /** Records the successful attempt and marks the notification delivered, in one statement. */
  async markDelivered(id: string, attempt: AttemptRow): Promise<void> {
    await this.db.query(
      `WITH recorded AS (
         INSERT INTO notification_attempt (notification_id, attempt, url, status, error) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (notification_id, attempt) DO NOTHING)
       UPDATE notification SET state = 'delivered', delivered_at = now(), claimed_until = NULL WHERE id = $1`,
      [id, attempt.attempt, attempt.url, attempt.status, attempt.error],
    );
  }

  async markRetry(id: string, at: Date, db: Sql = this.db): Promise<void> {
    await db.query(
      "UPDATE notification SET state = 'pending', next_attempt_at = $2, claimed_until = NULL WHERE id = $1",
      [id, at],
    );
  }

  async markExpired(id: string): Promise<void> {
    await this.db.query("UPDATE notification SET state = 'expired', claimed_until = NULL WHERE id = $1", [
      id,
    ]);
  }

  async get(accountName: string, id: string): Promise<OutboxRow | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM notification WHERE account_name = $1 AND id = $2',
      [accountName, id],
    );
    return rows[0] && toOutbox(rows[0]);
  }

  async attempts(id: string): Promise<AttemptRow[]> {
    const { rows } = await this.db.query<AttemptRow>(
      'SELECT attempt, url, status, error FROM notification_attempt WHERE notification_id = $1 ORDER BY attempt',
      [id],
    );
    return rows;
  }
}
