/**
 * Promotion rules per account, and the immutable audit records of every promotion decision
 * (written once; the database refuses updates). Rule shapes come from the promotion core.
 */
import { randomUUID } from 'node:crypto';
import {
  matchingRules,
  type PromotionRule,
  type PromotionRuleSpec,
  type PushedImage,
} from '../../core/promotion/index.js';
import type { Sql } from '../sql.js';

export interface StoredPromotionRule extends PromotionRule {
  accountName: string;
  createdAt: Date;
  lastUpdated: Date;
}

export type PromotionOutcome =
  'promoted' | 'rejected' | 'quarantined' | 'failed' | 'recheck_failed' | 'recheck_passed';

/** Who or what started it: a registry push, a user through the API, a re-check after new data. */
export interface PromotionTrigger {
  kind: 'push' | 'watch' | 'manual' | 'recheck';
  /** The user, or the registry (its address) that sent the notification. */
  by: string;
}

export interface PromotionStep {
  step: string;
  at: string;
  detail?: Record<string, unknown>;
}

export interface NewPromotionRecord {
  accountName: string;
  /** The job that made it: at most one record per job. */
  jobId?: string | undefined;
  rule: PromotionRule;
  source: { registry: string; repository: string; tag: string | undefined; digest: string };
  destination: { registry: string; repository: string; tags: string[]; digest: string | undefined };
  policy: { id: string; digest: string } | undefined;
  verdict: 'pass' | 'fail' | undefined;
  outcome: PromotionOutcome;
  reasons: string[];
  trigger: PromotionTrigger;
  steps: PromotionStep[];
  report: unknown;
  error: string | undefined;
}

export interface PromotionRecord extends NewPromotionRecord {
  id: string;
  createdAt: Date;
}

export interface PromotionFilter {
  /** Source or destination repository, exactly. */
  repository?: string;
  verdict?: 'pass' | 'fail';
  outcome?: PromotionOutcome;
  since?: Date;
  until?: Date;
  /** Page on: the id of the last record of the previous page (records after it, older). */
  after?: string;
  limit: number;
}

interface RuleRow {
  id: string;
  account_name: string;
  spec: PromotionRuleSpec;
  created_at: Date;
  last_updated: Date;
}

interface RecordRow {
  id: string;
  account_name: string;
  job_id: string | null;
  rule: PromotionRule;
  source_registry: string;
  source_repository: string;
  source_tag: string | null;
  source_digest: string;
  destination_registry: string;
  destination_repository: string;
  destination_tags: string[];
  destination_digest: string | null;
  policy_id: string | null;
  policy_digest: string | null;
  verdict: 'pass' | 'fail' | null;
  outcome: PromotionOutcome;
  reasons: string[];
  trigger: PromotionTrigger;
  steps: PromotionStep[];
  report: unknown;
  error: string | null;
  created_at: Date;
}

const toRule = (r: RuleRow): StoredPromotionRule => ({
  ...r.spec,
  id: r.id,
  accountName: r.account_name,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

const toRecord = (r: RecordRow): PromotionRecord => ({
  id: r.id,
  accountName: r.account_name,
  jobId: r.job_id ?? undefined,
  rule: r.rule,
  source: {
    registry: r.source_registry,
    repository: r.source_repository,
    tag: r.source_tag ?? undefined,
    digest: r.source_digest,
  },
  destination: {
    registry: r.destination_registry,
    repository: r.destination_repository,
    tags: r.destination_tags,
    digest: r.destination_digest ?? undefined,
  },
  policy: r.policy_id && r.policy_digest ? { id: r.policy_id, digest: r.policy_digest } : undefined,
  verdict: r.verdict ?? undefined,
  outcome: r.outcome,
  reasons: r.reasons,
  trigger: r.trigger,
  steps: r.steps,
  report: r.report,
  error: r.error ?? undefined,
  createdAt: r.created_at,
});

export class PromotionRepository {
  constructor(private readonly db: Sql) {}

  async addRule(accountName: string, spec: PromotionRuleSpec): Promise<StoredPromotionRule> {
    const { rows } = await this.db.query<RuleRow>(
      `INSERT INTO promotion_rule (id, account_name, name, enabled, source_registry, spec)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [randomUUID(), accountName, spec.name, spec.enabled, spec.source.registry, JSON.stringify(spec)],
    );
    return toRule(rows[0] as RuleRow);
  }

  async updateRule(
    accountName: string,
    id: string,
    spec: PromotionRuleSpec,
  ): Promise<StoredPromotionRule | undefined> {
    const { rows } = await this.db.query<RuleRow>(
      `UPDATE promotion_rule SET name = $3, enabled = $4, source_registry = $5, spec = $6, last_updated = now()
       WHERE account_name = $1 AND id = $2 RETURNING *`,
      [accountName, id, spec.name, spec.enabled, spec.source.registry, JSON.stringify(spec)],
    );
    return rows[0] && toRule(rows[0]);
  }

  async getRule(accountName: string, id: string): Promise<StoredPromotionRule | undefined> {
    const { rows } = await this.db.query<RuleRow>(
      'SELECT * FROM promotion_rule WHERE account_name = $1 AND id = $2',
      [accountName, id],
    );
    return rows[0] && toRule(rows[0]);
  }

  async listRules(accountName: string): Promise<StoredPromotionRule[]> {
    const { rows } = await this.db.query<RuleRow>(
      'SELECT * FROM promotion_rule WHERE account_name = $1 ORDER BY created_at, id',
      [accountName],
    );
    return rows.map(toRule);
  }

  async deleteRule(accountName: string, id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM promotion_rule WHERE account_name = $1 AND id = $2 RETURNING id',
      [accountName, id],
    );
    return rows.length > 0;
  }

  /** Enabled rules of every account watching `registry` (a push may concern several accounts). */
  async enabledRulesForRegistry(registry: string): Promise<StoredPromotionRule[]> {
    const { rows } = await this.db.query<RuleRow>(
      'SELECT * FROM promotion_rule WHERE source_registry = $1 AND enabled ORDER BY account_name, id',
      [registry.toLowerCase()],
    );
    return rows.map(toRule);
  }

  /** The enabled rules, in every account, that a push falls under. */
  async rulesForPush(push: PushedImage): Promise<StoredPromotionRule[]> {
    return matchingRules(await this.enabledRulesForRegistry(push.registry), push);
  }

  /** Writes a record once; a second record for the same job is ignored (undefined). */
  async addRecord(input: NewPromotionRecord, db: Sql = this.db): Promise<PromotionRecord | undefined> {
    const { rows } = await db.query<RecordRow>(
      `INSERT INTO promotion_record (id, account_name, job_id, rule_id, rule, source_registry, source_repository,
         source_tag, source_digest, destination_registry, destination_repository, destination_tags, destination_digest,
         policy_id, policy_digest, verdict, outcome, reasons, trigger, steps, report, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       ON CONFLICT (job_id) DO NOTHING RETURNING *`,
      [
        randomUUID(),
        input.accountName,
        input.jobId ?? null,
        input.rule.id,
        JSON.stringify(input.rule),
        input.source.registry,
        input.source.repository,
        input.source.tag ?? null,
        input.source.digest,
        input.destination.registry,
        input.destination.repository,
        input.destination.tags,
        input.destination.digest ?? null,
        input.policy?.id ?? null,
        input.policy?.digest ?? null,
        input.verdict ?? null,
        input.outcome,
        JSON.stringify(input.reasons),
        JSON.stringify(input.trigger),
        JSON.stringify(input.steps),
        input.report === undefined ? null : JSON.stringify(input.report),
        input.error ?? null,
      ],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async getRecord(accountName: string, id: string): Promise<PromotionRecord | undefined> {
    const { rows } = await this.db.query<RecordRow>(
      'SELECT * FROM promotion_record WHERE account_name = $1 AND id = $2',
      [accountName, id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** Newest first; a page continues after the record named by `after`. */
  async listRecords(accountName: string, filter: PromotionFilter): Promise<PromotionRecord[]> {
    const { rows } = await this.db.query<RecordRow>(
      `SELECT * FROM promotion_record WHERE account_name = $1
         AND ($2::text IS NULL OR source_repository = $2 OR destination_repository = $2)
         AND ($3::text IS NULL OR verdict = $3)
         AND ($4::text IS NULL OR outcome = $4)
         AND ($5::timestamptz IS NULL OR created_at >= $5)
         AND ($6::timestamptz IS NULL OR created_at < $6)
         AND ($8::text IS NULL OR (created_at, id) < (
           SELECT created_at, id FROM promotion_record WHERE account_name = $1 AND id = $8))
       ORDER BY created_at DESC, id DESC LIMIT $7`,
      [
        accountName,
        filter.repository ?? null,
        filter.verdict ?? null,
        filter.outcome ?? null,
        filter.since ?? null,
        filter.until ?? null,
        filter.limit,
        filter.after ?? null,
      ],
    );
    return rows.map(toRecord);
  }

  /**
   * The promotions that succeeded of an image, or of the index whose analysed platform image
   * this is, in every account (for re-checks).
   */
  async promotedByDigest(digest: string, accountName?: string): Promise<PromotionRecord[]> {
    const { rows } = await this.db.query<RecordRow>(
      `SELECT * FROM promotion_record WHERE outcome = 'promoted'
         AND (source_digest = $1 OR steps @> jsonb_build_array(jsonb_build_object('step', 'analysed',
           'detail', jsonb_build_object('analysisDigest', $1::text))))
         AND ($2::text IS NULL OR account_name = $2) ORDER BY created_at, id`,
      [digest, accountName ?? null],
    );
    return rows.map(toRecord);
  }

  /** The newest re-check or promotion verdict of a promoted image under a rule (pass/fail). */
  async lastVerdict(
    accountName: string,
    ruleId: string,
    digest: string,
  ): Promise<'pass' | 'fail' | undefined> {
    const { rows } = await this.db.query<{ verdict: 'pass' | 'fail' }>(
      `SELECT verdict FROM promotion_record WHERE account_name = $1 AND rule_id = $2 AND source_digest = $3
         AND outcome IN ('promoted', 'recheck_failed', 'recheck_passed') ORDER BY created_at DESC, id DESC LIMIT 1`,
      [accountName, ruleId, digest],
    );
    return rows[0]?.verdict;
  }
}
