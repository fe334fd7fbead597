/**
 * Archive rules and what each did (migration 16, ADR 0025). An account sees its own rules and
 * the admin's system_global ones; history rows name the account they acted in.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.js';

export interface RuleSelector {
  registry: string;
  repository: string;
  tag: string;
}

export interface RuleExclusion {
  selector: RuleSelector;
  /** -1: never expires. */
  expirationDays: number;
}

export interface ArchiveRule {
  ruleId: string;
  accountName: string;
  systemGlobal: boolean;
  transition: 'archive' | 'delete';
  analysisAgeDays: number;
  tagVersionsNewer: number;
  selector: RuleSelector;
  exclude: RuleExclusion | null;
  maxImagesPerAccount: number | null;
  createdAt: Date;
  lastUpdated: Date;
}

export type NewArchiveRule = Omit<ArchiveRule, 'ruleId' | 'createdAt' | 'lastUpdated'>;

export interface RuleHistoryEntry {
  id: string;
  ruleId: string;
  accountName: string;
  imageDigest: string;
  transition: string;
  status: string;
  detail: string | null;
  createdAt: Date;
}

interface Row {
  rule_id: string;
  account_name: string;
  system_global: boolean;
  transition: 'archive' | 'delete';
  analysis_age_days: number;
  tag_versions_newer: number;
  selector: RuleSelector;
  exclude: RuleExclusion | null;
  max_images_per_account: number | null;
  created_at: Date;
  last_updated: Date;
}

const toRule = (r: Row): ArchiveRule => ({
  ruleId: r.rule_id,
  accountName: r.account_name,
  systemGlobal: r.system_global,
  transition: r.transition,
  analysisAgeDays: r.analysis_age_days,
  tagVersionsNewer: r.tag_versions_newer,
  selector: r.selector,
  exclude: r.exclude,
  maxImagesPerAccount: r.max_images_per_account,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

export class ArchiveRuleRepository {
  constructor(private readonly db: Sql) {}

  async add(input: NewArchiveRule): Promise<ArchiveRule> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO archive_rule (rule_id, account_name, system_global, transition, analysis_age_days,
         tag_versions_newer, selector, exclude, max_images_per_account)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        randomUUID().replace(/-/g, ''),
        input.accountName,
        input.systemGlobal,
        input.transition,
        input.analysisAgeDays,
        input.tagVersionsNewer,
        JSON.stringify(input.selector),
        input.exclude === null ? null : JSON.stringify(input.exclude),
        input.maxImagesPerAccount,
      ],
    );
    return toRule(rows[0] as Row);
  }

  /** The account's rules, and the system_global ones unless `includeGlobal` is false. */
  async list(accountName: string, includeGlobal = true): Promise<ArchiveRule[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM archive_rule WHERE account_name = $1 OR ($2 AND system_global)
       ORDER BY created_at, rule_id`,
      [accountName, includeGlobal],
    );
    return rows.map(toRule);
  }

  /** A rule the account may read: its own or a system_global one. */
  async get(accountName: string, ruleId: string): Promise<ArchiveRule | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM archive_rule WHERE rule_id = $2 AND (account_name = $1 OR system_global)',
      [accountName, ruleId],
    );
    return rows[0] && toRule(rows[0]);
  }

  /** Deletes a rule the account owns. */
  async delete(accountName: string, ruleId: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM archive_rule WHERE account_name = $1 AND rule_id = $2 RETURNING rule_id',
      [accountName, ruleId],
    );
    return rows.length > 0;
  }

  async record(entry: Omit<RuleHistoryEntry, 'id' | 'createdAt'>, db: Sql = this.db): Promise<void> {
    await db.query(
      `INSERT INTO archive_rule_history (rule_id, account_name, image_digest, transition, status, detail)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [entry.ruleId, entry.accountName, entry.imageDigest, entry.transition, entry.status, entry.detail],
    );
  }

  /** What the rule did in the account, oldest first. */
  async history(accountName: string, ruleId: string): Promise<RuleHistoryEntry[]> {
    const { rows } = await this.db.query<{
      id: string;
      rule_id: string;
      account_name: string;
      image_digest: string;
      transition: string;
      status: string;
      detail: string | null;
      created_at: Date;
    }>(
      `SELECT id::text AS id, rule_id, account_name, image_digest, transition, status, detail, created_at
       FROM archive_rule_history WHERE rule_id = $2 AND account_name = $1 ORDER BY id`,
      [accountName, ruleId],
    );
    return rows.map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      accountName: r.account_name,
      imageDigest: r.image_digest,
      transition: r.transition,
      status: r.status,
      detail: r.detail,
      createdAt: r.created_at,
    }));
  }
}
