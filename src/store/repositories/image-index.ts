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

/** Runs `sql` over rows given as one JSON parameter (an insert, or a delete by keys). */
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

const INSERT_LOOKUP_KEYS = `INSERT INTO image_lookup_key (image_digest, namespace, package_name, package_ordinals)
   SELECT d, ns, pn, o FROM json_to_recordset($1::json) AS x(d text, ns text, pn text, o integer[])
   ON CONFLICT DO NOTHING`;

/** The index rows of one analysis (or of many, concatenated), as the insert statements take them. */
export interface IndexRows {
  packages: object[];
  lookupKeys: object[];
  findings: object[];
}

/** The index row of one finding, as INSERT_FINDINGS takes it. */
function findingRow(imageDigest: string, f: Finding) {
  return {
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
  };
}

type FindingRow = ReturnType<typeof findingRow>;

export function findingRows(imageDigest: string, findings: readonly Finding[]): object[] {
  return findings.map((f) => findingRow(imageDigest, f));
}

/** What names the rows of one finding in `image_finding`: DELETE_FINDING_KEYS matches on it. */
type FindingRowKey = Pick<FindingRow, 'd' | 'v' | 'pn' | 'pv' | 'pt' | 'pp'>;

const keyOf = (r: FindingRow): FindingRowKey => ({ d: r.d, v: r.v, pn: r.pn, pv: r.pv, pt: r.pt, pp: r.pp });

/** A finding's row key within one digest, as text (a NULL path distinct from every path). */
const keyText = (f: Finding): string =>
  JSON.stringify([f.id, f.package.name, f.package.version, f.package.type, f.package.path ?? null]);

/**
 * Whether two rows serialize alike, compared field by field rather than serialized: every
 * field `findingRow` writes, the ids list element by element.
 */
function sameRow(a: FindingRow, b: FindingRow): boolean {
  for (const k of Object.keys(a) as (keyof FindingRow)[]) {
    const [x, y] = [a[k], b[k]];
    const same =
      Array.isArray(x) && Array.isArray(y) ? x.length === y.length && x.every((v, n) => v === y[n]) : x === y;
    if (!same) return false;
  }
  return true;
}

/** Whether two lists of rows under one key hold the same rows, in any order. */
function sameRows(a: FindingRow[], b: FindingRow[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 1) return sameRow(a[0]!, b[0]!);
  const texts = (rows: FindingRow[]) => JSON.stringify(rows.map((r) => JSON.stringify(r)).sort());
  return texts(a) === texts(b);
}

/** The index rows to delete (by key) and to insert when an analysis's findings go from one set to another. */
export interface FindingRowsDelta {
  drop: FindingRowKey[];
  add: object[];
}

/**
 * Only the index rows that change (issue 13: a feed delta changes one or two findings of an
 * image, not its ten others). A finding found by reference in both sets is unchanged (the
 * re-match keeps the stored finding objects of packages it did not match again); for every
 * other one, all rows under its key are compared before and after, and a key whose rows differ
 * is deleted and written again whole, so duplicates under one key stay exact. Rows are made
 * only for the findings under those keys (a re-match makes every finding of a package it
 * matched again afresh, so most of an image's findings can be under them, ADR 0043).
 */
export function findingRowsDelta(
  imageDigest: string,
  before: readonly Finding[],
  after: readonly Finding[],
): FindingRowsDelta {
  const inAfter = new Set(after);
  const inBefore = new Set(before);
  const touched = new Set<string>();
  // A finding under a touched key has that key's id: the others need no key text.
  const ids = new Set<string>();
  const touch = (f: Finding) => {
    touched.add(keyText(f));
    ids.add(f.id);
  };
  for (const f of before) if (!inAfter.has(f)) touch(f);
  for (const f of after) if (!inBefore.has(f)) touch(f);
  const delta: FindingRowsDelta = { drop: [], add: [] };
  if (touched.size === 0) return delta;
  const rowsUnder = (findings: readonly Finding[]) => {
    const out = new Map<string, FindingRow[]>();
    for (const f of findings) {
      if (!ids.has(f.id)) continue;
      const k = keyText(f);
      if (!touched.has(k)) continue;
      const rows = out.get(k);
      if (rows) rows.push(findingRow(imageDigest, f));
      else out.set(k, [findingRow(imageDigest, f)]);
    }
    return out;
  };
  const [old, fresh] = [rowsUnder(before), rowsUnder(after)];
  for (const k of touched) {
    const [was, is] = [old.get(k) ?? [], fresh.get(k) ?? []];
    if (sameRows(was, is)) continue;
    if (was.length > 0) delta.drop.push(keyOf(was[0]!));
    delta.add.push(...is);
  }
  return delta;
}

// The digests first, so the plan walks the digest index (a base-image package's name is on
// every image's rows); the rest of the key is matched by hash, a NULL path as its own value.
const DELETE_FINDING_KEYS = `DELETE FROM image_finding f
   WHERE f.image_digest = ANY($2::text[])
     AND (f.image_digest, f.vulnerability_id, f.package_name, f.package_version, f.package_type,
          f.package_path IS NULL, coalesce(f.package_path, '')) IN
       (SELECT d, v, pn, pv, pt, pp IS NULL, coalesce(pp, '')
        FROM json_to_recordset($1::json) AS x(d text, v text, pn text, pv text, pt text, pp text))`;

/** Applies finding row deltas (of one digest or of many) in the caller's transaction. */
export async function applyFindingRowsDelta(db: Sql, delta: FindingRowsDelta): Promise<void> {
  for (let i = 0; i < delta.drop.length; i += 2000) {
    const keys = delta.drop.slice(i, i + 2000);
    await db.query(DELETE_FINDING_KEYS, [JSON.stringify(keys), [...new Set(keys.map((k) => k.d))]]);
  }
  await insertJson(db, INSERT_FINDINGS, delta.add);
}

/** What indexAnalysis writes for one analysis: packages, lookup keys and findings. */
export function indexRows(
  imageDigest: string,
  analysis: { sbom: unknown; findings: unknown; metadata: unknown },
): IndexRows {
  const doc = analysis.sbom as SbomDocument;
  const packages = (doc.packages ?? []).filter((p) => p.inSquashed !== false && !p.declaredOnly);
  const fromBase = baseLayerTest(doc, analysis.metadata);
  // With each key, the positions of its packages in the SBOM: the re-match reads only those.
  const keys = new Map<string, { ns: string; pn: string; o: number[] }>();
  (doc.packages ?? []).forEach((p, at) => {
    for (const l of lookupsFor(p, doc.distro)) {
      const k = `${l.namespace}\u0000${l.packageName}`;
      const key = keys.get(k) ?? { ns: l.namespace, pn: l.packageName, o: [] };
      if (key.o.at(-1) !== at) key.o.push(at);
      keys.set(k, key);
    }
  });
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

/** The tables whose statistics the index queries' plans depend on. */
const INDEX_TABLES = ['image_package', 'image_finding', 'image_lookup_key', 'image', 'image_tag'];

/**
 * Refreshes the planner's statistics of the index tables. PostgreSQL's autovacuum does it on a
 * server; embedded PGlite runs no autovacuum, and without statistics the planner walks every
 * image instead of the index (tens of ms per query at 300 images, growing with their number).
 */
export async function analyzeIndex(db: Sql): Promise<void> {
  await db.exec(`ANALYZE ${INDEX_TABLES.join(', ')}`);
}

/**
 * On the embedded store, refreshes the statistics of the index tables that changed by more than
 * autovacuum's default share since their last ANALYZE (50 rows + 10%), as a server's
 * autovacuum does by itself. A re-match changes only finding rows, and ANALYZE of the package
 * table costs seconds at 10,000 images, so it is re-counted only when it changed.
 */
export async function refreshIndexStatistics(db: Sql): Promise<void> {
  if (db.kind === 'postgres') return;
  const { rows } = await db.query<{ relname: string }>(
    `SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.relname = ANY($1::text[]) AND s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
     ORDER BY s.relname`,
    [INDEX_TABLES],
  );
  if (rows.length > 0) await db.exec(`ANALYZE ${rows.map((r) => r.relname).join(', ')}`);
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
  // The re-match calls this first: with nothing indexed, only tables that changed are re-counted.
  if (rows.length > 0) await analyzeIndex(db);
  else await refreshIndexStatistics(db);
  return rows.length;
}
