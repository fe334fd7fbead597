/**
 * The re-match's read of a chunk of analyses after a feed sync (issue 13, ADR 0030). Re-matching
 * an image needs only the packages under the changed keys, not its whole SBOM (tens of kB of
 * JSON per image that the server renders and Node parses, to re-match one or two packages), so
 * the server selects from each SBOM its source (layers), distro, unknowns and the packages the
 * search index places under those keys, and from the metadata the image history and those
 * packages' Debian changelogs; its packages' kinds were counted when it was stored (migration
 * 71). An analysis indexed before the index knew package positions (migration 19) is read whole,
 * as before.
 */
import type { PackageKey } from '../../core/matching/rematch.js';
import { changelogPath } from '../../core/suppression/changelog-evidence.js';
import type { Sql } from '../sql.js';
import type { StoredAnalysis } from './analyses-bulk.js';
import { findingTexts } from './findings-text.js';
import type { AnalysisRow } from './analyses.js';
import type { PackageKindRow } from './package-kinds.js';

/** How many packages of one type an SBOM holds, owned by another package or not. */
export interface PackageKind {
  type: string;
  owned: boolean;
  count: number;
}

/**
 * A stored analysis as the re-match read it. With `partial`, `sbom` holds only `source`,
 * `distro`, `unknowns` and the packages under the changed keys (in document order), and
 * `metadata` only the image history and those packages' changelogs. `findingTexts`: each
 * finding's text as stored, when the list was stored one finding per line (findings-text.ts).
 */
export type RematchRecord = StoredAnalysis & {
  partial?: { packageKinds: PackageKind[] };
  findingTexts?: readonly string[];
};

interface Row extends Omit<AnalysisRow, 'findings'> {
  /** The stored text, parsed here: its lines are the findings' own texts. */
  findings_text: string;
  findings_rev: string;
  partial: boolean;
  source: unknown;
  distro: unknown;
  unknowns: unknown;
  packages: unknown;
  kinds: PackageKindRow[];
  history: unknown;
  changelogs: Record<string, string> | null;
}

// The changelog path of a package, around its name (the same path the suppression reads).
const [CHANGELOG_PREFIX, CHANGELOG_SUFFIX] = changelogPath('\u0000').split('\u0000') as [string, string];

// `ords`: the positions of the packages under the changed keys; `stale` when a key row of the
// digest predates migration 19 (the analysis is then read whole). Each document is taken apart
// once (jsonb_to_record) rather than decompressed again for each part. The key rows are found
// per key in the primary key (namespace, package, digest), over the range of the chunk's
// digests (a chunk is a run of the sorted candidates): joined on the digests instead, every key
// row of the 250 images (160 each) was read and hashed to keep the few under the keys (ADR 0041).
// `OFFSET 0` keeps the lookup per key: without it the planner may pull the subquery up into a
// hash join over the digest index, which is that same scan again (seen on a 10,000-image fleet
// after ANALYZE: 22 against 7 ms a chunk, ADR 0042).
const READ = `
  WITH hit AS (
    SELECT k.image_digest, k.package_ordinals
    FROM json_to_recordset($2::json) AS c(ns text, pn text)
    CROSS JOIN LATERAL (
      SELECT k.image_digest, k.package_ordinals FROM image_lookup_key k
      WHERE k.namespace = c.ns AND k.package_name = c.pn
        AND k.image_digest BETWEEN (SELECT min(d) FROM unnest($1::text[]) d) AND (SELECT max(d) FROM unnest($1::text[]) d)
      OFFSET 0) k
    WHERE k.image_digest = ANY($1::text[])
  ), t AS (
    SELECT h.image_digest, bool_or(h.package_ordinals IS NULL) AS stale, array_agg(DISTINCT o) AS ords
    FROM hit h LEFT JOIN LATERAL unnest(h.package_ordinals) AS o ON true
    GROUP BY h.image_digest
  ), r AS (
    SELECT a.*, coalesce(t.stale, false) AS stale, coalesce(t.ords, '{}') AS ords
    FROM analysis a LEFT JOIN t ON t.image_digest = a.image_digest
    WHERE a.image_digest = ANY($1::text[])
  )
  SELECT a.image_digest, a.image_id, a.analyzer_version, a.created_at, a.findings::text AS findings_text,
    a.findings_rev::text AS findings_rev, NOT a.stale AS partial,
    CASE WHEN a.stale THEN a.sbom END AS sbom,
    CASE WHEN a.stale THEN a.metadata END AS metadata,
    l.source, l.distro, l.unknowns, l.packages, a.package_kinds AS kinds, l.history, l.changelogs
  FROM r a
  LEFT JOIN LATERAL (
    SELECT s.source, s.distro, s.unknowns,
      (SELECT coalesce(jsonb_agg(s.packages -> o ORDER BY o), '[]'::jsonb) FROM unnest(a.ords) AS o) AS packages,
      m.config -> 'history' AS history,
      (SELECT jsonb_object_agg(x.path, m.changelogs -> x.path)
       FROM (SELECT DISTINCT $3 || (s.packages -> o ->> 'name') || $4 AS path FROM unnest(a.ords) AS o) x
       WHERE m.changelogs ? x.path) AS changelogs
    FROM jsonb_to_record(a.sbom) AS s(source jsonb, distro jsonb, unknowns jsonb, packages jsonb),
      jsonb_to_record(a.metadata) AS m(config jsonb, changelogs jsonb)
    WHERE NOT a.stale
  ) l ON true`;

function recordOf(r: Row): RematchRecord {
  const texts = findingTexts(r.findings_text);
  const base = {
    imageDigest: r.image_digest,
    imageId: r.image_id,
    analyzerVersion: r.analyzer_version,
    findings: JSON.parse(r.findings_text) as unknown,
    ...(texts ? { findingTexts: texts } : {}),
    createdAt: r.created_at,
    findingsRev: r.findings_rev,
  };
  if (!r.partial) return { ...base, sbom: r.sbom, metadata: r.metadata };
  return {
    ...base,
    sbom: {
      source: r.source,
      ...(r.distro === null ? {} : { distro: r.distro }),
      unknowns: r.unknowns ?? [],
      packages: r.packages,
    },
    metadata: {
      ...(r.history === null ? {} : { config: { history: r.history } }),
      changelogs: r.changelogs ?? {},
    },
    partial: {
      packageKinds: r.kinds.map(([type, owned, count]) => ({ type: type ?? '', owned, count })),
    },
  };
}

/**
 * The analyses of these digests (in the order asked, missing ones left out), each with only
 * what re-matching its packages under `keys` needs when the index allows.
 */
export async function getRematchAnalyses(
  db: Sql,
  digests: readonly string[],
  keys: readonly PackageKey[],
): Promise<RematchRecord[]> {
  if (digests.length === 0) return [];
  const { rows } = await db.query<Row>(READ, [
    [...digests],
    JSON.stringify(keys.map((k) => ({ ns: k.namespace, pn: k.packageName }))),
    CHANGELOG_PREFIX,
    CHANGELOG_SUFFIX,
  ]);
  const byDigest = new Map(rows.map((r) => [r.image_digest, r] as const));
  return digests.flatMap((d) => {
    const r = byDigest.get(d);
    return r ? [recordOf(r)] : [];
  });
}
