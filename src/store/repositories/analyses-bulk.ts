/**
 * Bulk reads and writes of analyses for the re-match after a feed sync (issue 13): a chunk of
 * analyses read in one query, their new findings written in one statement with only the index
 * rows of the findings that changed (two more), and what the notifications of a chunk need about the images holding them
 * (holders, tags, status) in one more. The single-digest versions are in analyses.ts,
 * images.ts and image-index.ts; these write exactly the same rows.
 */
import type { Finding } from '../../core/matching/types.js';
import { documentParams, documentsSql, rowsWithDocuments } from '../json-slices.js';
import type { Sql } from '../sql.js';
import { findingCounts } from './finding-counts.js';
import { findingsText } from './findings-text.js';
import { toRecord, type AnalysisRecord, type AnalysisRow } from './analyses.js';
import {
  applyFindingRowsDelta,
  findingRows,
  findingRowsDelta,
  type FindingRowsDelta,
} from './image-index.js';

/** A stored analysis with the revision of its findings (what a later write checks it replaces). */
export type StoredAnalysis = AnalysisRecord & { findingsRev: string };

/** The stored analyses of these digests, in the order asked (missing ones left out). */
export async function getAnalyses(db: Sql, digests: readonly string[]): Promise<StoredAnalysis[]> {
  if (digests.length === 0) return [];
  const { rows } = await db.query<AnalysisRow & { findings_rev: string }>(
    `SELECT image_digest, image_id, analyzer_version, metadata, sbom, findings, created_at,
       findings_rev::text AS findings_rev
     FROM analysis WHERE image_digest = ANY($1::text[])`,
    [[...digests]],
  );
  const byDigest = new Map(rows.map((r) => [r.image_digest, r] as const));
  const out: StoredAnalysis[] = [];
  for (const digest of digests) {
    const r = byDigest.get(digest);
    if (!r) continue;
    out.push({ ...toRecord(r), findingsRev: r.findings_rev });
  }
  return out;
}

/**
 * New findings for one analysis; with `before`, the findings read (exactly as stored, the objects
 * the caller got from the read) and which revision they had.
 */
export interface FindingsReplacement {
  imageDigest: string;
  findings: readonly Finding[];
  /**
   * `findingsText(findings)`, when the caller rendered it beforehand: the re-match does that
   * while matching, so the text is ready when the chunk's write starts (ADR 0042, 0043).
   */
  text?: string;
  before?: { findings: readonly Finding[]; rev: string };
}

// Rows are locked in digest order (two passes never wait on each other crosswise). Each new
// list travels as its own JSON text (`rowsWithDocuments`) and is stored as sent (json,
// migration 72): on a server no JSON array of the chunk is parsed (ADR 0042). The kept
// findings used to be spliced from the stored list on the server (ADR 0033, 0041), which cost
// more than sending them whole once the whole list no longer had to be parsed.
const replace = (kind: Sql['kind'], documents = documentsSql(kind, 'json', 2)) => `
  UPDATE analysis a SET findings = x.n, finding_counts = x.c, findings_rev = nextval('analysis_findings_rev')
  FROM (SELECT d, r, ${documents.value('y')} AS n, c
    FROM ${documents.rows} AS y(d text, r bigint, c jsonb, ${documents.columns}) ORDER BY d) x
  WHERE a.image_digest = x.d AND (x.r IS NULL OR a.findings_rev = x.r)
  RETURNING a.image_digest`;

/**
 * Replaces the findings of many analyses with their index rows (each takes a new findings
 * revision), in the caller's transaction or one of its own: what `replaceFindings` does for one.
 * With `before`, an analysis is written only if its findings are still at that revision (a
 * re-analysis or restore in between wrote fresher ones, which stay), and only the index rows
 * of findings that changed are rewritten. Returns the digests written.
 */
export async function replaceFindingsMany(
  db: Sql,
  entries: readonly FindingsReplacement[],
): Promise<string[]> {
  if (entries.length === 0) return [];
  return db.transaction(async (tx) => {
    const sent = rowsWithDocuments(
      db.kind,
      entries.map((e) => ({ d: e.imageDigest, r: e.before?.rev ?? null, c: findingCounts(e.findings) })),
      entries.map((e) => e.text ?? findingsText(e.findings)),
    );
    const { rows } = await tx.query<{ image_digest: string }>(replace(db.kind), documentParams(sent));
    const written = new Set(rows.map((r) => r.image_digest));
    const delta: FindingRowsDelta = { drop: [], add: [] };
    const whole: string[] = [];
    for (const e of entries) {
      if (!written.has(e.imageDigest)) continue;
      if (!e.before) {
        whole.push(e.imageDigest);
        delta.add.push(...findingRows(e.imageDigest, e.findings));
        continue;
      }
      const one = findingRowsDelta(e.imageDigest, e.before.findings, e.findings);
      delta.drop.push(...one.drop);
      delta.add.push(...one.add);
    }
    if (whole.length > 0)
      await tx.query('DELETE FROM image_finding WHERE image_digest = ANY($1::text[])', [whole]);
    await applyFindingRowsDelta(tx, delta);
    return entries.map((e) => e.imageDigest).filter((d) => written.has(d));
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
