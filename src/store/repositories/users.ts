import { PortcullisError } from '../../core/errors.js';
import type { Sql } from '../sql.js';
import type { Account } from './accounts.js';
import { LoginChanges } from './login-changes.js';
import { hashPassword, verifyPassword } from './password-hash.js';

export type UserType = 'native' | 'internal' | 'external';

export interface User {
  username: string;
  accountName: string;
  type: UserType;
  source: string | null;
  createdAt: Date;
  lastUpdated: Date;
}

interface UserRow {
  username: string;
  account_name: string;
  type: UserType;
  source: string | null;
  created_at: Date;
  last_updated: Date;
}

const toUser = (r: UserRow): User => ({
  username: r.username,
  accountName: r.account_name,
  type: r.type,
  source: r.source,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

const USER_COLUMNS = 'username, account_name, type, source, created_at, last_updated';

export class UserRepository {
  /** `changes` advances after a password change or a deletion (auth plugin's login cache). */
  constructor(
    private readonly db: Sql,
    private readonly changes = new LoginChanges(),
  ) {}

  async create(input: {
    username: string;
    accountName: string;
    password: string;
    type?: UserType;
  }): Promise<User> {
    const hash = await hashPassword(input.password);
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO account_user (username, account_name, type, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [input.username, input.accountName, input.type ?? 'native', hash],
    );
    const row = rows[0];
    if (!row)
      throw new PortcullisError('INVALID_ARGUMENT', `user "${input.username}" already exists`, {
        details: { conflict: true },
      });
    return toUser(row);
  }

  async get(accountName: string, username: string): Promise<User | undefined> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM account_user WHERE account_name = $1 AND username = $2`,
      [accountName, username],
    );
    return rows[0] && toUser(rows[0]);
  }

  /**
   * When the user row last changed and its account's state, in one query: what a remembered
   * login must check on every request (a password change or a disabled account bites at once).
   */
  async freshness(
    accountName: string,
    username: string,
  ): Promise<{ lastUpdated: Date; accountState: Account['state'] } | undefined> {
    const { rows } = await this.db.query<{ last_updated: Date; state: Account['state'] }>(
      `SELECT u.last_updated, a.state FROM account_user u JOIN account a ON a.name = u.account_name
       WHERE u.account_name = $1 AND u.username = $2`,
      [accountName, username],
    );
    const r = rows[0];
    return r && { lastUpdated: r.last_updated, accountState: r.state };
  }

  async list(accountName: string): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM account_user WHERE account_name = $1 ORDER BY username`,
      [accountName],
    );
    return rows.map(toUser);
  }

  async setPassword(accountName: string, username: string, password: string): Promise<boolean> {
    const hash = await hashPassword(password);
    const { rows } = await this.changes.around(() =>
      this.db.query(
        `UPDATE account_user SET password_hash = $3, last_updated = now()
         WHERE account_name = $1 AND username = $2 RETURNING username`,
        [accountName, username, hash],
      ),
    );
    return rows.length > 0;
  }

  async delete(accountName: string, username: string): Promise<boolean> {
    const { rows } = await this.changes.around(() =>
      this.db.query('DELETE FROM account_user WHERE account_name = $1 AND username = $2 RETURNING username', [
        accountName,
        username,
      ]),
    );
    return rows.length > 0;
  }

  /** The user and its account when the password matches; undefined otherwise. */
  async authenticate(
    username: string,
    password: string,
  ): Promise<{ user: User; account: Account } | undefined> {
    const { rows } = await this.db.query<
      UserRow & {
        password_hash: string | null;
        a_email: string | null;
        a_type: Account['type'];
        a_state: Account['state'];
        a_created: Date;
        a_updated: Date;
      }
    >(
      `SELECT u.*, a.email AS a_email, a.type AS a_type, a.state AS a_state,
              a.created_at AS a_created, a.last_updated AS a_updated
       FROM account_user u JOIN account a ON a.name = u.account_name WHERE u.username = $1`,
      [username],
    );
    const row = rows[0];
    if (!row?.password_hash || !(await verifyPassword(password, row.password_hash))) return undefined;
    return {
      user: toUser(row),
      account: {
        name: row.account_name,
        email: row.a_email,
        type: row.a_type,
        state: row.a_state,
        createdAt: row.a_created,
        lastUpdated: row.a_updated,
      },
    };
  }
}
