/**
 * Policy evaluations of many (account, image, tag) at once, for the re-match after a feed sync:
 * the newest verdict of each (without its result document) and a multi-row insert. The
 * one-at-a-time versions are `EvaluationRepository.latest` and `add`.
 */
import { documentParams, documentsSql, rowsWithDocuments } from '../json-slices.js';
import type { Sql } from '../sql.js';
import type { EvaluationRecord } from './evaluations.js';
import { storedResults, type CompactResult } from './policy-documents.js';

export type EvaluationVerdict = Omit<EvaluationRecord, 'result'>;

interface VerdictRow {
  account_name: string;
  image_digest: string;
  tag: string;
  policy_id: string;
  status: 'pass' | 'fail';
  final_action: string;
  created_at: Date;
}

const toVerdict = (r: VerdictRow): EvaluationVerdict => ({
  accountName: r.account_name,
  imageDigest: r.image_digest,
  tag: r.tag,
  policyId: r.policy_id,
  status: r.status,
  finalAction: r.final_action,
  createdAt: r.created_at,
});

export const verdictKey = (v: { accountName: string; imageDigest: string; tag: string }): string =>
  `${v.accountName}\u0000${v.imageDigest}\u0000${v.tag}`;

const COLUMNS = 'account_name, image_digest, tag, policy_id, status, final_action, created_at';

/**
 * The newest verdict of each (account, image, tag) that has one, by `verdictKey`. Each key takes
 * the first entry of `policy_evaluation_by_image` (created_at DESC): a tag's evaluations pile up
 * with every feed sync, and picking the newest among all of them (DISTINCT ON) visited each.
 */
export async function latestVerdicts(
  db: Sql,
  keys: readonly { accountName: string; imageDigest: string; tag: string }[],
): Promise<Map<string, EvaluationVerdict>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<VerdictRow>(
    `SELECT l.* FROM jsonb_to_recordset($1::jsonb) AS k(a text, d text, t text)
     CROSS JOIN LATERAL (
       SELECT ${COLUMNS} FROM policy_evaluation e
       WHERE e.account_name = k.a AND e.image_digest = k.d AND e.tag = k.t
       ORDER BY e.created_at DESC LIMIT 1) l`,
    [JSON.stringify(keys.map((k) => ({ a: k.accountName, d: k.imageDigest, t: k.tag })))],
  );
  return new Map(rows.map((r) => [verdictKey(toVerdict(r)), toVerdict(r)] as const));
}

/**
 * Stores the evaluations in order, in the caller's transaction (each bundle document once, the
 * results compact: see policy-documents.ts); returns what was stored (without the results).
 * `compact`: each result's `compactEvaluation`, when the caller made it beforehand; `texts`,
 * with it, the JSON of what each row stores, rendered beforehand too. A result is read only
 * where it has no compact form (`compactEvaluationOf` renders it when read).
 */
export async function addEvaluations(
  db: Sql,
  inputs: readonly Omit<EvaluationRecord, 'createdAt'>[],
  compact?: readonly CompactResult[],
  texts?: readonly string[],
): Promise<EvaluationVerdict[]> {
  if (inputs.length === 0) return [];
  const stored = await storedResults(
    db,
    inputs.map((e, i) => (compact?.[i] ? undefined : e.result)),
    2,
    compact,
  );
  // Each result (3–8 kB) travels as its own JSON text beside the small columns: on a server it
  // is parsed on its own into its jsonb, not as part of one array of the whole chunk (ADR 0042).
  const sent = rowsWithDocuments(
    db.kind,
    inputs.map((e, i) => ({
      a: e.accountName,
      d: e.imageDigest,
      t: e.tag,
      p: e.policyId,
      v: e.status,
      f: e.finalAction,
      b: stored[i]!.policyDigest,
    })),
    texts ?? stored.map((s) => JSON.stringify(s.result)),
  );
  const documents = documentsSql(db.kind, 'jsonb', 2);
  const { rows } = await db.query<VerdictRow>(
    `INSERT INTO policy_evaluation (account_name, image_digest, tag, policy_id, status, final_action, result, policy_digest)
     SELECT x.a, x.d, x.t, x.p, x.v, x.f, ${documents.value('x')}, x.b
     FROM ROWS FROM (${documents.rows} AS (a text, d text, t text, p text, v text, f text, b text, ${documents.columns}))
       WITH ORDINALITY AS x(a, d, t, p, v, f, b, ${documents.names}, n)
     ORDER BY x.n RETURNING ${COLUMNS}`,
    documentParams(sent),
  );
  const byKey = new Map(rows.map((r) => [verdictKey(toVerdict(r)), toVerdict(r)] as const));
  return inputs.map((e) => byKey.get(verdictKey(e))).filter((v): v is EvaluationVerdict => v !== undefined);
}
