/**
 * Revocable API tokens for automation. The token is shown once at creation; only its SHA-256
 * is stored (tokens carry 256 random bits, so a slow hash adds nothing).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from '../sql.js';
import type { Account } from './accounts.js';
import type { User } from './users.js';

export const TOKEN_PREFIX = 'pcl_';

export interface ApiToken {
  id: string;
  username: string;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface TokenRow {
  id: string;
  username: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  username: r.username,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

const COLUMNS = 'id, username, name, created_at, expires_at, last_used_at, revoked_at';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class ApiTokenRepository {
  constructor(private readonly db: Sql) {}

  /** Creates a token; `secret` is the only time the token's value exists outside the caller. */
  async create(input: {
    username: string;
    name: string;
    expiresAt?: Date | null;
  }): Promise<{ token: ApiToken; secret: string }> {
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const { rows } = await this.db.query<TokenRow>(
      `INSERT INTO api_token (id, username, name, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [randomUUID(), input.username, input.name, hashToken(secret), input.expiresAt ?? null],
    );
    return { token: toToken(rows[0] as TokenRow), secret };
  }

  async list(username: string): Promise<ApiToken[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT ${COLUMNS} FROM api_token WHERE username = $1 ORDER BY created_at, id`,
      [username],
    );
    return rows.map(toToken);
  }

  async revoke(username: string, id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE api_token SET revoked_at = now() WHERE username = $1 AND id = $2 AND revoked_at IS NULL RETURNING id`,
      [username, id],
    );
    return rows.length > 0;
  }

  /** The token's user and account, if the token is known, unrevoked and unexpired. */
  async authenticate(secret: string): Promise<{ user: User; account: Account; tokenId: string } | undefined> {
    if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
    const { rows } = await this.db.query<{
      id: string;
      username: string;
      account_name: string;
      u_type: User['type'];
      source: string | null;
      u_created: Date;
      u_updated: Date;
      email: string | null;
      a_type: Account['type'];
      state: Account['state'];
      a_created: Date;
      a_updated: Date;
    }>(
      `UPDATE api_token t SET last_used_at = now()
       FROM account_user u JOIN account a ON a.name = u.account_name
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
         AND u.username = t.username
       RETURNING t.id, u.username, u.account_name, u.type AS u_type, u.source, u.created_at AS u_created,
         u.last_updated AS u_updated, a.email, a.type AS a_type, a.state, a.created_at AS a_created,
         a.last_updated AS a_updated`,
      [hashToken(secret)],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      tokenId: r.id,
      user: {
        username: r.username,
        accountName: r.account_name,
        type: r.u_type,
        source: r.source,
        createdAt: r.u_created,
        lastUpdated: r.u_updated,
      },
      account: {
        name: r.account_name,
        email: r.email,
        type: r.a_type,
        state: r.state,
        createdAt: r.a_created,
        lastUpdated: r.a_updated,
      },
    };
  }
}
