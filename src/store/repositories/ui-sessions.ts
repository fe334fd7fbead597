/**
 * The web UI's server-side sessions: the browser holds a random id, the table its SHA-256, the
 * user, the account, the CSRF token bound to the session and the expiry. An expired row is
 * never answered and is swept on the next login.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../sql.js';

export interface UiSession {
  username: string;
  accountName: string;
  /** Read with the session, so a disabled account or a removed user ends it at once. */
  accountType: 'user' | 'admin' | 'service';
  accountState: 'enabled' | 'disabled' | 'deleting';
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

interface Row {
  account_type: UiSession['accountType'];
  account_state: UiSession['accountState'];
  username: string;
  account_name: string;
  csrf_token: string;
  created_at: Date;
  expires_at: Date;
}

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');
const newSecret = () => randomBytes(32).toString('base64url');

export class UiSessionRepository {
  constructor(private readonly db: Sql) {}

  /** A new session; returns the id for the cookie (stored only as a hash). */
  async create(input: { username: string; accountName: string; ttlMs: number }): Promise<{
    id: string;
    session: UiSession;
  }> {
    await this.db.query('DELETE FROM ui_session WHERE expires_at <= now()');
    const id = newSecret();
    const { rows } = await this.db.query(
      `INSERT INTO ui_session (id_hash, username, account_name, csrf_token, expires_at)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond') RETURNING id_hash`,
      [hashId(id), input.username, input.accountName, newSecret(), input.ttlMs],
    );
    const session = rows[0] && (await this.get(id));
    if (!session) throw new Error('the new session was not stored');
    return { id, session };
  }

  /** The live session for a cookie value, or undefined when unknown or expired. */
  async get(id: string): Promise<UiSession | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT s.*, a.type AS account_type, a.state AS account_state
       FROM ui_session s JOIN account a ON a.name = s.account_name
       JOIN account_user u ON u.username = s.username AND u.account_name = s.account_name
       WHERE s.id_hash = $1 AND s.expires_at > now()`,
      [hashId(id)],
    );
    return rows[0] && toSession(rows[0]);
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM ui_session WHERE id_hash = $1', [hashId(id)]);
  }

  /** Sets the expiry (tests use it to age a session; an admin could end one early). */
  async expireAt(id: string, expiresAt: Date): Promise<void> {
    await this.db.query('UPDATE ui_session SET expires_at = $2 WHERE id_hash = $1', [hashId(id), expiresAt]);
  }
}

const toSession = (r: Row): UiSession => ({
  accountType: r.account_type,
  accountState: r.account_state,
  username: r.username,
  accountName: r.account_name,
  csrfToken: r.csrf_token,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});
