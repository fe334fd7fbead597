/**
 * Bulk reads and writes of analyses for the re-match after a feed sync (issue 13): a chunk of
 * analyses read in one query, their new findings written with their index rows in three
 * statements, and what the notifications of a chunk need about the images holding them
 * (holders, tags, status) in one more. The single-digest versions are in analyses.ts,
 * images.ts and image-index.ts; these write exactly the same rows.
 */
import type { Finding } from '../../core/matching/types.js';
import type { Sql } from '../sql.js';
import { toRecord, type AnalysisRecord, type AnalysisRow } from './analyses.js';
import { findingRows, insertFindingRows } from './image-index.js';

/** The stored analyses of these digests, in the order asked (missing ones left out). */
export async function getAnalyses(db: Sql, digests: readonly string[]): Promise<AnalysisRecord[]> {
  if (digests.length === 0) return [];
  const { rows } = await db.query<AnalysisRow>(
    `SELECT image_digest, image_id, analyzer_version, metadata, sbom, findings, created_at
     FROM analysis WHERE image_digest = ANY($1::text[])`,
    [[...digests]],
  );
  const byDigest = new Map(rows.map((r) => [r.image_digest, r] as const));
  const out: AnalysisRecord[] = [];
  for (const digest of digests) {
    const r = byDigest.get(digest);
    if (!r) continue;
    out.push(toRecord(r));
  }
  return out;
}

/**
 * Replaces the findings of many analyses with their index rows (each takes a new findings
 * revision), in the caller's transaction or one of its own: what `replaceFindings` does for one.
 */
export async function replaceFindingsMany(
  db: Sql,
  entries: readonly { imageDigest: string; findings: readonly Finding[] }[],
): Promise<void> {
  if (entries.length === 0) return;
  const digests = entries.map((e) => e.imageDigest);
  await db.transaction(async (tx) => {
    await tx.query(
      `UPDATE analysis a SET findings = x.f, findings_rev = nextval('analysis_findings_rev')
       FROM (SELECT d, f FROM jsonb_to_recordset($1::jsonb) AS r(d text, f jsonb) ORDER BY d) x
       WHERE a.image_digest = x.d`,
      [JSON.stringify(entries.map((e) => ({ d: e.imageDigest, f: e.findings })))],
    );
    await tx.query('DELETE FROM image_finding WHERE image_digest = ANY($1::text[])', [digests]);
    await insertFindingRows(
      tx,
      entries.flatMap((e) => findingRows(e.imageDigest, e.findings)),
    );
  });
}

/** An active image of one account holding a digest, with its tags as `images.get` orders them. */
export interface Holder {
  accountName: string;
  imageDigest: string;
  analysisStatus: string;
  /** Full tags (registry/repo:tag). */
  tags: string[];
}

/** The active images holding these digests, by digest then account name (as `accountsOf`). */
export async function holdersOf(db: Sql, digests: readonly string[]): Promise<Holder[]> {
  if (digests.length === 0) return [];
  const { rows } = await db.query<{
    account_name: string;
    image_digest: string;
    analysis_status: string;
    tags: string[] | null;
  }>(
    `SELECT i.account_name, i.image_digest, i.analysis_status,
       (SELECT array_agg(t.registry || '/' || t.repo || ':' || t.tag
          ORDER BY t.tag_detected_at DESC, t.registry, t.repo, t.tag)
        FROM image_tag t WHERE t.account_name = i.account_name AND t.image_digest = i.image_digest) AS tags
     FROM image i WHERE i.image_digest = ANY($1::text[]) AND i.image_status = 'active'
     ORDER BY i.image_digest, i.account_name`,
    [[...digests]],
  );
  return rows.map((r) => ({
    accountName: r.account_name,
    imageDigest: r.image_digest,
    analysisStatus: r.analysis_status,
    tags: r.tags ?? [],
  }));
}
