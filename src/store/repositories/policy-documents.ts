/**
 * Bundle documents stored once, keyed by the sha256 of their jsonb text (migration 17): what
 * policy evaluations refer to instead of holding a copy each (ADR 0031). Never deleted: a
 * bundle has a handful of versions, and old evaluations keep referring to theirs.
 */
import type { Sql } from '../sql.js';
import { compactEvaluation, expandEvaluation, type EvaluationLayout } from './evaluation-layout.js';

/** Stores the documents (once each) in the caller's transaction; their digests, in order. */
export async function storePolicyDocuments(db: Sql, documents: readonly unknown[]): Promise<string[]> {
  if (documents.length === 0) return [];
  const { rows } = await db.query<{ digest: string }>(
    `WITH d AS (
       SELECT n, doc, encode(sha256(convert_to(doc::text, 'UTF8')), 'hex') AS digest
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(doc, n)),
     stored AS (
       INSERT INTO policy_document (digest, document) SELECT DISTINCT ON (digest) digest, doc FROM d
       ON CONFLICT (digest) DO NOTHING)
     SELECT digest FROM d ORDER BY n`,
    [JSON.stringify(documents)],
  );
  return rows.map((r) => r.digest);
}

/** A policy evaluation's result as it goes into its row: the column values. */
export interface StoredResult {
  /** The document for the `result` column (to be serialized as JSON). */
  result: unknown;
  policyDigest: string | null;
}

/** A result's compact form (`compactEvaluation`), or undefined when it is stored whole. */
export type CompactResult = ReturnType<typeof compactEvaluation>;

/**
 * The stored form of each result (its bundle stored once per distinct document object, in the
 * caller's transaction): compact where the result has the shape `evaluationOf` gives, else whole.
 * `compact`, when given, is `compactEvaluation` of each result at `layout`, made beforehand (the
 * re-match does that while a chunk's findings are written, ADR 0036).
 */
export async function storedResults(
  db: Sql,
  results: readonly unknown[],
  layout: EvaluationLayout = 2,
  compact: readonly CompactResult[] = results.map((r) => compactEvaluation(r, layout)),
): Promise<StoredResult[]> {
  const documents = [...new Set(compact.flatMap((c) => (c ? [c.policy] : [])))];
  const digests = await storePolicyDocuments(db, documents);
  const digestOf = new Map(documents.map((d, i) => [d, digests[i]!] as const));
  return results.map((r, i) => {
    const c = compact[i];
    return c
      ? { result: c.stored, policyDigest: digestOf.get(c.policy)! }
      : { result: r, policyDigest: null };
  });
}

/** The columns a reader selects to get the API document back (`resultOf`), with `e` the evaluation. */
export const RESULT_COLUMNS = 'e.result, e.policy_digest, d.document AS policy_document';
export const RESULT_JOIN = 'LEFT JOIN policy_document d ON d.digest = e.policy_digest';

export interface ResultColumns {
  result: unknown;
  policy_digest: string | null;
  policy_document: unknown;
}

/** The API document of a row selected with RESULT_COLUMNS: the same whichever way it was stored. */
export const resultOf = (r: ResultColumns): unknown =>
  expandEvaluation(r.result, r.policy_document, r.policy_digest !== null);
