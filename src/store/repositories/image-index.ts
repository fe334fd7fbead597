/**
 * The search index of stored analyses (migration 13): one row per package, finding and advisory
 * lookup key of each analysed image digest. It is what `/v1/query/*` answers from and what the
 * re-match after a feed sync selects candidates with, so neither reads SBOM documents. Written
 * in the caller's transaction together with the analysis or its new findings, so the index
 * never disagrees with what it indexes.
 */
import { baseLayersFromHistory } from '../../core/matching/base-layers.js';
import { lookupsFor } from '../../core/matching/namespaces.js';
import type { Finding } from '../../core/matching/types.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import type { Sql } from '../sql.js';

/** Bumped when what is indexed changes; older rows are rewritten by indexMissing(). */
export const IMAGE_INDEX_VERSION = 1;

interface HistoryHolder {
  config?: { history?: { created_by?: string; empty_layer?: boolean }[] };
}

/** Whether each layer (by diffID) belongs to the base image; undefined when unknown. */
function baseLayerTest(doc: SbomDocument, metadata: unknown): (diffId: string | undefined) => boolean | null {
  const history = (metadata as HistoryHolder | null)?.config?.history ?? [];
  const count = baseLayersFromHistory(history);
  const index = new Map((doc.source?.layers ?? []).map((l, i) => [l.diffId, i] as const));
  return (diffId) => {
    if (count === undefined || diffId === undefined) return null;
    const at = index.get(diffId);
    return at === undefined ? null : at < count;
  };
}

async function insertJson(db: Sql, sql: string, rows: readonly object[]): Promise<void> {
  // Batches keep one statement's JSON parameter small for images with thousands of packages.
  for (let i = 0; i < rows.length; i += 2000) {
    await db.query(sql, [JSON.stringify(rows.slice(i, i + 2000))]);
  }
}

const INSERT_FINDINGS = `INSERT INTO image_finding (image_digest, vulnerability_id, ids, namespace, package_name, package_version,
     package_type, package_path, severity, fix, will_not_fix, suppressed, origin, origin_layer)
   SELECT d, v, ARRAY(SELECT json_array_elements_text(i)), ns, pn, pv, pt, pp, s, f, w, sp, o, ol
   FROM json_to_recordset($1::json) AS x(d text, v text, i json, ns text, pn text, pv text, pt text, pp text,
     s text, f text, w boolean, sp boolean, o text, ol text)`;

const INSERT_PACKAGES = `INSERT INTO image_package (image_digest, name, version, type, purl, source_name, location, origin_layer, from_base)
   SELECT d, n, v, t, p, s, l, o, b FROM json_to_recordset($1::json)
     AS x(d text, n text, v text, t text, p text, s text, l text, o text, b boolean)`;

const INSERT_LOOKUP_KEYS = `INSERT INTO image_lookup_key (image_digest, namespace, package_name)
   SELECT d, ns, pn FROM json_to_recordset($1::json) AS x(d text, ns text, pn text) ON CONFLICT DO NOTHING`;

/** The index rows of one analysis (or of many, concatenated), as the insert statements take them. */
export interface IndexRows {
  packages: object[];
  lookupKeys: object[];
  findings: object[];
}

export function findingRows(imageDigest: string, findings: readonly Finding[]): object[] {
  return findings.map((f) => ({
    d: imageDigest,
    v: f.id,
    i: [f.id, ...f.aliases],
    ns: f.evidence[0]?.namespace ?? 'unknown',
    pn: f.package.name,
    pv: f.package.version,
    pt: f.package.type,
    pp: f.package.path ?? null,
    s: f.severity,
    f: f.fixedVersions.join(',') || 'None',
    w: f.fixState === 'wont-fix',
    sp: f.suppressed !== undefined,
    o: f.origin,
    ol: f.originLayer ?? null,
  }));
}

/** What indexAnalysis writes for one analysis: packages, lookup keys and findings. */
export function indexRows(
  imageDigest: string,
  analysis: { sbom: unknown; findings: unknown; metadata: unknown },
): IndexRows {
  const doc = analysis.sbom as SbomDocument;
  const packages = (doc.packages ?? []).filter((p) => p.inSquashed !== false && !p.declaredOnly);
  const fromBase = baseLayerTest(doc, analysis.metadata);
  const keys = new Map<string, { ns: string; pn: string }>();
  for (const p of doc.packages ?? [])
    for (const l of lookupsFor(p, doc.distro))
      keys.set(`${l.namespace}\u0000${l.packageName}`, { ns: l.namespace, pn: l.packageName });
  return {
    packages: packages.map((p) => ({
      d: imageDigest,
      n: p.name,
      v: p.version,
      t: p.type,
      p: p.purl,
      s: p.source?.name ?? null,
      l: p.locations?.[0]?.path ?? null,
      o: p.originLayer ?? null,
      b: fromBase(p.originLayer),
    })),
    lookupKeys: [...keys.values()].map((k) => ({ d: imageDigest, ...k })),
    findings: findingRows(imageDigest, (analysis.findings ?? []) as Finding[]),
  };
}

/** Inserts index rows (of one analysis or of many at once: a bulk load writes the same rows). */
export async function insertIndexRows(db: Sql, rows: IndexRows): Promise<void> {
  await insertJson(db, INSERT_PACKAGES, rows.packages);
  await insertJson(db, INSERT_LOOKUP_KEYS, rows.lookupKeys);
  await insertJson(db, INSERT_FINDINGS, rows.findings);
}

/** Inserts finding rows (of one digest or of many). */
export async function insertFindingRows(db: Sql, rows: readonly object[]): Promise<void> {
  await insertJson(db, INSERT_FINDINGS, rows);
}

/** Replaces the finding rows of one digest (after an analysis or a re-match). */
export async function indexFindings(
  db: Sql,
  imageDigest: string,
  findings: readonly Finding[],
): Promise<void> {
  await db.query('DELETE FROM image_finding WHERE image_digest = $1', [imageDigest]);
  await insertJson(db, INSERT_FINDINGS, findingRows(imageDigest, findings));
}

/** Indexes a whole analysis: packages, lookup keys and findings (replacing earlier rows). */
export async function indexAnalysis(
  db: Sql,
  imageDigest: string,
  analysis: { sbom: unknown; findings: unknown; metadata: unknown },
): Promise<void> {
  await db.query('DELETE FROM image_package WHERE image_digest = $1', [imageDigest]);
  await db.query('DELETE FROM image_lookup_key WHERE image_digest = $1', [imageDigest]);
  await db.query('DELETE FROM image_finding WHERE image_digest = $1', [imageDigest]);
  await insertIndexRows(db, indexRows(imageDigest, analysis));
  await db.query('UPDATE analysis SET index_version = $2 WHERE image_digest = $1', [
    imageDigest,
    IMAGE_INDEX_VERSION,
  ]);
}

/**
 * Refreshes the planner's statistics of the index tables. PostgreSQL's autovacuum does it on a
 * server; embedded PGlite runs no autovacuum, and without statistics the planner walks every
 * image instead of the index (tens of ms per query at 300 images, growing with their number).
 */
export async function analyzeIndex(db: Sql): Promise<void> {
  await db.exec('ANALYZE image_package, image_finding, image_lookup_key, image, image_tag');
}

/**
 * Indexes every analysis stored before the index existed (or by an older index version), one
 * transaction per analysis. Returns how many were indexed.
 */
export async function indexMissing(db: Sql, signal?: AbortSignal): Promise<number> {
  const { rows } = await db.query<{ image_digest: string }>(
    'SELECT image_digest FROM analysis WHERE index_version IS DISTINCT FROM $1 ORDER BY image_digest',
    [IMAGE_INDEX_VERSION],
  );
  for (const { image_digest: digest } of rows) {
    signal?.throwIfAborted();
    await db.transaction(async (tx) => {
      const found = await tx.query<{ sbom: unknown; findings: unknown; metadata: unknown }>(
        'SELECT sbom, findings, metadata FROM analysis WHERE image_digest = $1',
        [digest],
      );
      if (found.rows[0]) await indexAnalysis(tx, digest, found.rows[0]);
    });
  }
  await analyzeIndex(db);
  return rows.length;
}
