/** Stored policy evaluations per account, image and tag; `check` reads the newest one. */
import type { Sql } from '../sql.js';

export interface EvaluationRecord {
  accountName: string;
  imageDigest: string;
  tag: string;
  policyId: string;
  status: 'pass' | 'fail';
  finalAction: string;
  result: unknown;
  createdAt: Date;
}

interface Row {
  account_name: string;
  image_digest: string;
  tag: string;
  policy_id: string;
  status: 'pass' | 'fail';
  final_action: string;
  result: unknown;
  created_at: Date;
}

const toEvaluation = (r: Row): EvaluationRecord => ({
  accountName: r.account_name,
  imageDigest: r.image_digest,
  tag: r.tag,
  policyId: r.policy_id,
  status: r.status,
  finalAction: r.final_action,
  result: r.result,
  createdAt: r.created_at,
});

export class EvaluationRepository {
  constructor(private readonly db: Sql) {}

  async add(input: Omit<EvaluationRecord, 'createdAt'>, db: Sql = this.db): Promise<EvaluationRecord> {
    const { rows } = await db.query<Row>(
      `INSERT INTO policy_evaluation (account_name, image_digest, tag, policy_id, status, final_action, result)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        input.accountName,
        input.imageDigest,
        input.tag,
        input.policyId,
        input.status,
        input.finalAction,
        JSON.stringify(input.result),
      ],
    );
    return toEvaluation(rows[0] as Row);
  }

  /** Newest first; `history` false gives at most one. */
  async list(
    accountName: string,
    imageDigest: string,
    tag: string,
    policyId: string,
    history: boolean,
  ): Promise<EvaluationRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM policy_evaluation WHERE account_name = $1 AND image_digest = $2 AND tag = $3 AND policy_id = $4
       ORDER BY created_at DESC LIMIT $5`,
      [accountName, imageDigest, tag, policyId, history ? 1000 : 1],
    );
    return rows.map(toEvaluation);
  }

  /** The newest evaluation of the tag under any bundle (what a changed verdict is told against). */
  async latest(accountName: string, imageDigest: string, tag: string): Promise<EvaluationRecord | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM policy_evaluation WHERE account_name = $1 AND image_digest = $2 AND tag = $3
       ORDER BY created_at DESC LIMIT 1`,
      [accountName, imageDigest, tag],
    );
    return rows[0] && toEvaluation(rows[0]);
  }
}
