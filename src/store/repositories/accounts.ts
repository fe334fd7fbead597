import { PortcullisError } from '../../core/errors.js';
import type { Sql } from '../sql.js';
import type { InitialPolicy } from './default-policy.js';
import { LoginChanges } from './login-changes.js';

export type AccountType = 'user' | 'admin' | 'service';
export type AccountState = 'enabled' | 'disabled' | 'deleting';

export interface Account {
  name: string;
  email: string | null;
  type: AccountType;
  state: AccountState;
  createdAt: Date;
  lastUpdated: Date;
}

interface AccountRow {
  name: string;
  email: string | null;
  type: AccountType;
  state: AccountState;
  created_at: Date;
  last_updated: Date;
}

const toAccount = (r: AccountRow): Account => ({
  name: r.name,
  email: r.email,
  type: r.type,
  state: r.state,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

export class AccountRepository {
  /**
   * `initialPolicy`: the bundle installed, active, in every new account (same transaction).
   * `changes` advances after a state change or a deletion (auth plugin's login cache).
   */
  constructor(
    private readonly db: Sql,
    private readonly initialPolicy?: InitialPolicy,
    private readonly changes = new LoginChanges(),
  ) {}

  /** Creates the account; a name already taken is a conflict the caller reports. */
  async create(input: { name: string; email?: string | null; type: AccountType }): Promise<Account> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<AccountRow>(
        `INSERT INTO account (name, email, type) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING RETURNING *`,
        [input.name, input.email ?? null, input.type],
      );
      const row = rows[0];
      if (!row)
        throw new PortcullisError('INVALID_ARGUMENT', `account "${input.name}" already exists`, {
          details: { conflict: true },
        });
      const policy = this.initialPolicy;
      if (policy)
        await tx.query(
          `INSERT INTO policy_bundle (account_name, policy_id, name, description, bundle, active)
           VALUES ($1, $2, $3, $4, $5, true)`,
          [row.name, policy.policyId, policy.name, policy.description, JSON.stringify(policy.bundle)],
        );
      return toAccount(row);
    });
  }

  async get(name: string): Promise<Account | undefined> {
    const { rows } = await this.db.query<AccountRow>('SELECT * FROM account WHERE name = $1', [name]);
    return rows[0] && toAccount(rows[0]);
  }

  async list(filter: { state?: AccountState } = {}): Promise<Account[]> {
    const { rows } = await this.db.query<AccountRow>(
      'SELECT * FROM account WHERE ($1::text IS NULL OR state = $1) ORDER BY name',
      [filter.state ?? null],
    );
    return rows.map(toAccount);
  }

  async setState(name: string, state: AccountState): Promise<Account | undefined> {
    const { rows } = await this.changes.around(() =>
      this.db.query<AccountRow>(
        'UPDATE account SET state = $2, last_updated = now() WHERE name = $1 RETURNING *',
        [name, state],
      ),
    );
    return rows[0] && toAccount(rows[0]);
  }

  /**
   * Deletes the account and everything it owns (cascade). Shared analyses stay. Immutable audit
   * rows (promotion records) let this transaction, and only for this account, take them along.
   */
  async delete(name: string): Promise<boolean> {
    return this.changes.around(() =>
      this.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('portcullis.erasing_account', $1, true)", [name]);
        const { rows } = await tx.query('DELETE FROM account WHERE name = $1 RETURNING name', [name]);
        return rows.length > 0;
      }),
    );
  }
}
