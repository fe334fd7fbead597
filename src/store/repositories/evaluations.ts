/** Stored policy evaluations per account, image and tag; `check` reads the newest one. */
import type { Sql } from '../sql.js';
import {
  RESULT_COLUMNS,
  RESULT_JOIN,
  resultOf,
  storedResults,
  type ResultColumns,
} from './policy-documents.js';

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

interface Row extends ResultColumns {
  account_name: string;
  image_digest: string;
  tag: string;
  policy_id: string;
  status: 'pass' | 'fail';
  final_action: string;
  created_at: Date;
}

/** An evaluation row with its API result document (see policy-documents.ts). */
const SELECT = `SELECT e.account_name, e.image_digest, e.tag, e.policy_id, e.status, e.final_action, e.created_at,
  ${RESULT_COLUMNS} FROM policy_evaluation e ${RESULT_JOIN}`;

const toEvaluation = (r: Row): EvaluationRecord => ({
  accountName: r.account_name,
  imageDigest: r.image_digest,
  tag: r.tag,
  policyId: r.policy_id,
  status: r.status,
  finalAction: r.final_action,
  result: resultOf(r),
  createdAt: r.created_at,
});

export class EvaluationRepository {
  constructor(private readonly db: Sql) {}

  /** Stores the evaluation; returns it as a read gives it back. */
  async add(input: Omit<EvaluationRecord, 'createdAt'>, db: Sql = this.db): Promise<EvaluationRecord> {
    return db.transaction(async (tx) => {
      const [stored] = await storedResults(tx, [input.result]);
      const { rows } = await tx.query<Row>(
        `WITH e AS (
           INSERT INTO policy_evaluation (account_name, image_digest, tag, policy_id, status, final_action, result, policy_digest)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)
         ${SELECT.replace('FROM policy_evaluation e', 'FROM e')}`,
        [
          input.accountName,
          input.imageDigest,
          input.tag,
          input.policyId,
          input.status,
          input.finalAction,
          JSON.stringify(stored!.result),
          stored!.policyDigest,
        ],
      );
      return toEvaluation(rows[0] as Row);
    });
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
      `${SELECT} WHERE e.account_name = $1 AND e.image_digest = $2 AND e.tag = $3 AND e.policy_id = $4
       ORDER BY e.created_at DESC LIMIT $5`,
      [accountName, imageDigest, tag, policyId, history ? 1000 : 1],
    );
    return rows.map(toEvaluation);
  }

  /** The newest evaluation of the tag under any bundle (what a changed verdict is told against). */
  async latest(accountName: string, imageDigest: string, tag: string): Promise<EvaluationRecord | undefined> {
    const { rows } = await this.db.query<Row>(
      `${SELECT} WHERE e.account_name = $1 AND e.image_digest = $2 AND e.tag = $3
       ORDER BY e.created_at DESC LIMIT 1`,
      [accountName, imageDigest, tag],
    );
    return rows[0] && toEvaluation(rows[0]);
  }
}
