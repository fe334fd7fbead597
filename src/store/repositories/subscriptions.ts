/** Anchore subscriptions: four per added tag (analysis_update, tag_update, policy_eval, vuln_update). */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.js';

export const TAG_SUBSCRIPTION_TYPES = [
  'analysis_update',
  'tag_update',
  'policy_eval',
  'vuln_update',
] as const;

export interface Subscription {
  id: string;
  accountName: string;
  type: string;
  key: string;
  value: string | null;
  active: boolean;
  createdAt: Date;
  lastUpdated: Date;
}

interface Row {
  id: string;
  account_name: string;
  subscription_type: string;
  subscription_key: string;
  subscription_value: string | null;
  active: boolean;
  created_at: Date;
  last_updated: Date;
}

const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  accountName: r.account_name,
  type: r.subscription_type,
  key: r.subscription_key,
  value: r.subscription_value,
  active: r.active,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

export class SubscriptionRepository {
  constructor(private readonly db: Sql) {}

  /**
   * The four subscriptions of a full tag, as Anchore's image add makes them: created if missing
   * (analysis_update active, tag_update active iff autosubscribe, the others inactive), and on
   * an existing tag adding the image again enables analysis_update, and tag_update when
   * `autosubscribe`; it never turns a subscription off.
   */
  async ensureForTag(accountName: string, fullTag: string, autosubscribe: boolean): Promise<void> {
    for (const type of TAG_SUBSCRIPTION_TYPES) {
      const active = type === 'analysis_update' || (type === 'tag_update' && autosubscribe);
      await this.db.query(
        `INSERT INTO subscription (id, account_name, subscription_type, subscription_key, active) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_name, subscription_type, subscription_key) DO UPDATE SET active = true, last_updated = now()
           WHERE $5 AND NOT subscription.active`,
        [randomUUID(), accountName, type, fullTag, active],
      );
    }
  }

  /** A new subscription; undefined when the account has one of this type and key already. */
  async add(input: {
    accountName: string;
    type: string;
    key: string;
    value: string | null;
    active: boolean;
  }): Promise<Subscription | undefined> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO subscription (id, account_name, subscription_type, subscription_key, subscription_value, active)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_name, subscription_type, subscription_key) DO NOTHING RETURNING *`,
      [randomUUID(), input.accountName, input.type, input.key, input.value, input.active],
    );
    return rows[0] && toSubscription(rows[0]);
  }

  /** Changes activity and, for repo_update, the JSON value. */
  async update(
    accountName: string,
    id: string,
    change: { active?: boolean; value?: string | null },
  ): Promise<Subscription | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE subscription SET active = COALESCE($3, active),
         subscription_value = CASE WHEN $4::boolean THEN $5 ELSE subscription_value END, last_updated = now()
       WHERE account_name = $1 AND id = $2 RETURNING *`,
      [accountName, id, change.active ?? null, change.value !== undefined, change.value ?? null],
    );
    return rows[0] && toSubscription(rows[0]);
  }

  async list(accountName: string, filter: { key?: string; type?: string } = {}): Promise<Subscription[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM subscription WHERE account_name = $1 AND ($2::text IS NULL OR subscription_key = $2)
         AND ($3::text IS NULL OR subscription_type = $3) ORDER BY subscription_key, subscription_type`,
      [accountName, filter.key ?? null, filter.type ?? null],
    );
    return rows.map(toSubscription);
  }

  async get(accountName: string, id: string): Promise<Subscription | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM subscription WHERE account_name = $1 AND id = $2',
      [accountName, id],
    );
    return rows[0] && toSubscription(rows[0]);
  }

  async setActive(accountName: string, id: string, active: boolean): Promise<Subscription | undefined> {
    const { rows } = await this.db.query<Row>(
      'UPDATE subscription SET active = $3, last_updated = now() WHERE account_name = $1 AND id = $2 RETURNING *',
      [accountName, id, active],
    );
    return rows[0] && toSubscription(rows[0]);
  }

  /** Deactivates the subscriptions of these full tags (a forced image delete does this). */
  async deactivateKeys(accountName: string, keys: readonly string[]): Promise<void> {
    await this.db.query(
      'UPDATE subscription SET active = false, last_updated = now() WHERE account_name = $1 AND subscription_key = ANY($2::text[]) AND active',
      [accountName, [...keys]],
    );
  }

  async anyActive(accountName: string, keys: readonly string[]): Promise<boolean> {
    const { rows } = await this.db.query(
      'SELECT 1 FROM subscription WHERE account_name = $1 AND subscription_key = ANY($2::text[]) AND active LIMIT 1',
      [accountName, [...keys]],
    );
    return rows.length > 0;
  }

  async delete(accountName: string, id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM subscription WHERE account_name = $1 AND id = $2 RETURNING id',
      [accountName, id],
    );
    return rows.length > 0;
  }
}
