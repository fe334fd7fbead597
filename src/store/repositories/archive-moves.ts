/**
 * The working-set side of archiving (ADR 0025): read what an account's image holds, take it
 * out (the image row with its tags and evaluations; the shared analysis and its index rows only
 * when no account's image still uses it), and put it back on restore with its original dates.
 */
import type { Sql } from '../sql.js';
import {
  RESULT_COLUMNS,
  RESULT_JOIN,
  resultOf,
  storedResults,
  type ResultColumns,
} from './policy-documents.js';

export interface WorkingEvaluation {
  tag: string;
  policyId: string;
  status: 'pass' | 'fail';
  finalAction: string;
  result: unknown;
  createdAt: string;
}

export interface WorkingTag {
  registry: string;
  repo: string;
  tag: string;
  pullDigest: string | null;
  createdAt: string;
  tagDetectedAt: string;
}

export interface RestoredImage {
  imageDigest: string;
  parentDigest: string | null;
  imageType: string;
  annotations: Record<string, string>;
  dockerfile: string | null;
  createdAt: string;
  tags: WorkingTag[];
  evaluations: WorkingEvaluation[];
}

/** Every policy evaluation of the account's image, oldest first. */
export async function evaluationsOf(
  db: Sql,
  accountName: string,
  imageDigest: string,
): Promise<WorkingEvaluation[]> {
  const { rows } = await db.query<
    {
      tag: string;
      policy_id: string;
      status: 'pass' | 'fail';
      final_action: string;
      created_at: Date;
    } & ResultColumns
  >(
    `SELECT e.tag, e.policy_id, e.status, e.final_action, ${RESULT_COLUMNS}, e.created_at
     FROM policy_evaluation e ${RESULT_JOIN}
     WHERE e.account_name = $1 AND e.image_digest = $2 ORDER BY e.created_at`,
    [accountName, imageDigest],
  );
  return rows.map((r) => ({
    tag: r.tag,
    policyId: r.policy_id,
    status: r.status,
    finalAction: r.final_action,
    result: resultOf(r),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/**
 * Removes the account's analysed image from the working set; false when it is no longer there
 * and analysed (another call archived or changed it meanwhile). Returns whether the shared
 * analysis went too.
 */
export async function removeFromWorkingSet(
  tx: Sql,
  accountName: string,
  imageDigest: string,
): Promise<{ removed: boolean; analysisRemoved: boolean }> {
  const { rows } = await tx.query(
    `DELETE FROM image WHERE account_name = $1 AND image_digest = $2 AND analysis_status = 'analyzed'
     RETURNING image_digest`,
    [accountName, imageDigest],
  );
  if (rows.length === 0) return { removed: false, analysisRemoved: false };
  const gone = await tx.query(
    `DELETE FROM analysis a WHERE a.image_digest = $1
       AND NOT EXISTS (SELECT 1 FROM image i WHERE i.image_digest = a.image_digest) RETURNING image_digest`,
    [imageDigest],
  );
  return { removed: true, analysisRemoved: gone.rows.length > 0 };
}

/** Turns off the account's `tag_update` watchers of these full tags (the archived image was their latest). */
export async function stopTagWatches(tx: Sql, accountName: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.query(
    `UPDATE subscription SET active = false, last_updated = now()
     WHERE account_name = $1 AND subscription_type = 'tag_update' AND subscription_key = ANY($2::text[]) AND active`,
    [accountName, [...keys]],
  );
}

/**
 * Puts the account's image back as analysed now, with its tags and evaluations as they were;
 * false (nothing written) when the account has the image already (a concurrent restore or add).
 */
export async function restoreWorkingRows(
  tx: Sql,
  accountName: string,
  image: RestoredImage,
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO image (account_name, image_digest, parent_digest, image_type, analysis_status, annotations,
       dockerfile, analyzed_at, created_at)
     VALUES ($1, $2, $3, $4, 'analyzed', $5, $6, now(), $7)
     ON CONFLICT (account_name, image_digest) DO NOTHING RETURNING image_digest`,
    [
      accountName,
      image.imageDigest,
      image.parentDigest,
      image.imageType,
      JSON.stringify(image.annotations),
      image.dockerfile,
      image.createdAt,
    ],
  );
  if (inserted.rows.length === 0) return false;
  for (const t of image.tags) {
    await tx.query(
      `INSERT INTO image_tag (account_name, image_digest, registry, repo, tag, pull_digest, created_at, tag_detected_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [accountName, image.imageDigest, t.registry, t.repo, t.tag, t.pullDigest, t.createdAt, t.tagDetectedAt],
    );
  }
  const stored = await storedResults(
    tx,
    image.evaluations.map((e) => e.result),
  );
  for (const [i, e] of image.evaluations.entries()) {
    await tx.query(
      `INSERT INTO policy_evaluation (account_name, image_digest, tag, policy_id, status, final_action, result, policy_digest, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        accountName,
        image.imageDigest,
        e.tag,
        e.policyId,
        e.status,
        e.finalAction,
        JSON.stringify(stored[i]!.result),
        stored[i]!.policyDigest,
        e.createdAt,
      ],
    );
  }
  return true;
}
