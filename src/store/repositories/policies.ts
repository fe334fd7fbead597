/**
 * Policy bundles per account, at most one active (a partial unique index enforces it).
 * Validation happens before the store, in the policy core.
 */
import { PortcullisError } from '../../core/errors.js';
import type { Sql } from '../sql.js';

export interface PolicyRecord {
  accountName: string;
  policyId: string;
  name: string;
  description: string;
  source: string;
  bundle: unknown;
  active: boolean;
  createdAt: Date;
  lastUpdated: Date;
}

interface PolicyRow {
  account_name: string;
  policy_id: string;
  name: string;
  description: string;
  source: string;
  bundle: unknown;
  active: boolean;
  created_at: Date;
  last_updated: Date;
}

const toPolicy = (r: PolicyRow): PolicyRecord => ({
  accountName: r.account_name,
  policyId: r.policy_id,
  name: r.name,
  description: r.description,
  source: r.source,
  bundle: r.bundle,
  active: r.active,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

export class PolicyRepository {
  constructor(private readonly db: Sql) {}

  /** Adds or replaces the bundle with this id; a replaced bundle keeps its active flag. */
  async upsert(input: {
    accountName: string;
    policyId: string;
    name: string;
    description?: string;
    bundle: unknown;
    active?: boolean;
  }): Promise<PolicyRecord> {
    return this.db.transaction(async (tx) => {
      if (input.active)
        await tx.query(
          'UPDATE policy_bundle SET active = false, last_updated = now() WHERE account_name = $1 AND active AND policy_id <> $2',
          [input.accountName, input.policyId],
        );
      const { rows } = await tx.query<PolicyRow>(
        `INSERT INTO policy_bundle (account_name, policy_id, name, description, bundle, active) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (account_name, policy_id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
           bundle = EXCLUDED.bundle, active = policy_bundle.active OR EXCLUDED.active, last_updated = now()
         RETURNING *`,
        [
          input.accountName,
          input.policyId,
          input.name,
          input.description ?? '',
          JSON.stringify(input.bundle),
          input.active ?? false,
        ],
      );
      return toPolicy(rows[0] as PolicyRow);
    });
  }

  async get(accountName: string, policyId: string): Promise<PolicyRecord | undefined> {
    const { rows } = await this.db.query<PolicyRow>(
      'SELECT * FROM policy_bundle WHERE account_name = $1 AND policy_id = $2',
      [accountName, policyId],
    );
    return rows[0] && toPolicy(rows[0]);
  }

  async active(accountName: string): Promise<PolicyRecord | undefined> {
    const { rows } = await this.db.query<PolicyRow>(
      'SELECT * FROM policy_bundle WHERE account_name = $1 AND active',
      [accountName],
    );
    return rows[0] && toPolicy(rows[0]);
  }

  async list(accountName: string): Promise<PolicyRecord[]> {
    const { rows } = await this.db.query<PolicyRow>(
      'SELECT * FROM policy_bundle WHERE account_name = $1 ORDER BY created_at, policy_id',
      [accountName],
    );
    return rows.map(toPolicy);
  }

  /** Makes this bundle the account's only active one. */
  async activate(accountName: string, policyId: string): Promise<PolicyRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const exists = await tx.query(
        'SELECT 1 FROM policy_bundle WHERE account_name = $1 AND policy_id = $2 FOR UPDATE',
        [accountName, policyId],
      );
      if (exists.rows.length === 0) return undefined;
      await tx.query(
        'UPDATE policy_bundle SET active = false, last_updated = now() WHERE account_name = $1 AND active AND policy_id <> $2',
        [accountName, policyId],
      );
      const { rows } = await tx.query<PolicyRow>(
        'UPDATE policy_bundle SET active = true, last_updated = now() WHERE account_name = $1 AND policy_id = $2 RETURNING *',
        [accountName, policyId],
      );
      return rows[0] && toPolicy(rows[0]);
    });
  }

  /** Deletes an inactive bundle; the active one cannot be deleted (Anchore refuses it too). */
  async delete(accountName: string, policyId: string): Promise<boolean> {
    const current = await this.get(accountName, policyId);
    if (!current) return false;
    if (current.active)
      throw new PortcullisError(
        'INVALID_ARGUMENT',
        'cannot delete the active policy bundle; activate another one first',
      );
    await this.db.query(
      'DELETE FROM policy_bundle WHERE account_name = $1 AND policy_id = $2 AND NOT active',
      [accountName, policyId],
    );
    return true;
  }
}
