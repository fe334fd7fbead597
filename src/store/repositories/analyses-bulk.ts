/**
 * Bulk reads and writes of analyses for the re-match after a feed sync (issue 13): a chunk of
 * analyses read in one query, their new findings written in one statement with only the index
 * rows of the findings that changed (two more), and what the notifications of a chunk need about the images holding them
 * (holders, tags, status) in one more. The single-digest versions are in analyses.ts,
 * images.ts and image-index.ts; these write exactly the same rows.
 */
import type { Finding } from '../../core/matching/types.js';
import type { Sql } from '../sql.js';
import { findingCounts } from './finding-counts.js';
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
  before?: { findings: readonly Finding[]; rev: string };
}

/**
 * What the UPDATE is sent of one replacement: the findings it made afresh (`n`) and, with
 * `before`, where each new finding comes from (`k`: i >= 0 the stored finding at i, kept as the
 * same object; -1 - j the fresh one at j). The re-match keeps most findings as they were, so
 * the database copies those from the stored row instead of parsing them again from JSON text,
 * which was most of the statement's cost (ADR 0033).
 */
function sentOf(e: FindingsReplacement, splice: boolean) {
  const c = findingCounts(e.findings);
  if (!e.before || !splice) return { d: e.imageDigest, r: e.before?.rev ?? null, n: e.findings, k: null, c };
  const at = new Map(e.before.findings.map((f, i) => [f, i] as const));
  const n: Finding[] = [];
  const k = e.findings.map((f) => {
    const i = at.get(f);
    if (i !== undefined) return i;
    n.push(f);
    return -n.length; // -1 - its position in n
  });
  return { d: e.imageDigest, r: e.before.rev, n, k, c };
}

// Rows are locked in digest order (two passes never wait on each other crosswise). A spliced
// row is only written at the revision it was read at, so its stored findings are `before`. The
// kept findings are taken from one pass over the stored text (migration 72: json, spliced as
// text): `a.findings -> k` for each of them fetched and decompressed the stored (TOASTed)
// value again, once per finding kept (ADR 0041).
const REPLACE = `
  UPDATE analysis a SET
    findings = CASE WHEN x.k IS NULL THEN x.n ELSE (
      SELECT coalesce(json_agg(CASE WHEN o.k >= 0 THEN f.v ELSE x.n -> (-1 - o.k) END ORDER BY o.i), '[]'::json)
      FROM unnest(x.k) WITH ORDINALITY AS o(k, i)
      LEFT JOIN json_array_elements(a.findings) WITH ORDINALITY AS f(v, j) ON f.j = o.k + 1) END,
    finding_counts = x.c, findings_rev = nextval('analysis_findings_rev')
  FROM (SELECT d, r, n, k, c FROM json_to_recordset($1::json) AS y(d text, r bigint, n json, k int[], c jsonb)
    ORDER BY d) x
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
    // Splicing kept findings pays on a server; on PGlite the jsonb_agg of the copies cost more
    // than parsing the whole list (the 2,000-image re-match measured 6.9 against 6.1 s, when
    // findings were jsonb: not measured again since migration 72).
    const splice = db.kind === 'postgres';
    const { rows } = await tx.query<{ image_digest: string }>(REPLACE, [
      JSON.stringify(entries.map((e) => sentOf(e, splice))),
    ]);
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
