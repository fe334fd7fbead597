/**
 * "Which images contain X?" across one account, from the index of migration 13 (image-index.ts):
 * by vulnerability id (or alias) and by package (name, type, version, PURL, version range). The
 * answers are paged per image and name, per image, its tags and the matching packages with
 * their layer of origin and whether that layer comes from the base image. Only the account's
 * active images count. These functions are the one way the routes, the UI and chat ask.
 */
import type { NormalizedSeverity } from '../../core/matching/types.js';
import type { Sql } from '../sql.js';

export interface QueryPage {
  /** 1-based. */
  page: number;
  limit: number;
}

export interface QueriedTag {
  registry: string;
  repo: string;
  tag: string;
  tagDetectedAt: Date;
}

export interface QueriedImage {
  imageDigest: string;
  imageId: string | null;
  analyzedAt: Date | null;
  tags: QueriedTag[];
}

export interface Paged<T> {
  total: number;
  items: T[];
}

export interface VulnerablePackage {
  vulnerabilityId: string;
  name: string;
  version: string;
  /** Our package type (`deb`, `apk`, `npm`, ...). */
  type: string;
  namespace: string;
  severity: NormalizedSeverity;
  fix: string;
  willNotFix: boolean;
  path: string | null;
  originLayer: string | null;
  origin: 'base' | 'app' | 'unknown';
}

export interface ImageVulnerabilityHit {
  image: QueriedImage;
  packages: VulnerablePackage[];
}

export interface ByVulnerabilityFilter {
  /** Matches the finding's id or any of its aliases (CVE ↔ GHSA). */
  vulnerabilityId: string;
  namespace?: string;
  affectedPackage?: string;
  severity?: string;
  /** Leave out findings the vendor will not fix. */
  vendorOnly?: boolean;
}

export interface IndexedPackage {
  name: string;
  version: string;
  type: string;
  purl: string;
  location: string | null;
  originLayer: string | null;
  /** Null when the base image's layers are not known. */
  fromBase: boolean | null;
}

export interface ImagePackageHit {
  image: QueriedImage;
  packages: IndexedPackage[];
}

export interface ByPackageFilter {
  name?: string;
  version?: string;
  /** Our package type. */
  type?: string;
  /** A PURL; without `@version` it matches every version of the package. */
  purl?: string;
  /** Keeps versions this returns true for (a version range); applied before paging. */
  versionTest?: (type: string, version: string) => boolean;
}

const ACCOUNT_IMAGES = `JOIN image i ON i.account_name = $1 AND i.image_digest = x.image_digest
  AND i.image_status = 'active' AND i.analysis_status = 'analyzed'`;

async function describeImages(db: Sql, accountName: string, digests: readonly string[]) {
  const { rows } = await db.query<{
    image_digest: string;
    image_id: string | null;
    analyzed_at: Date | null;
    tags: { registry: string; repo: string; tag: string; tag_detected_at: string }[];
  }>(
    `SELECT i.image_digest, a.image_id, i.analyzed_at,
       COALESCE((SELECT json_agg(json_build_object('registry', t.registry, 'repo', t.repo, 'tag', t.tag,
           'tag_detected_at', t.tag_detected_at) ORDER BY t.registry, t.repo, t.tag)
         FROM image_tag t WHERE t.account_name = i.account_name AND t.image_digest = i.image_digest), '[]'::json) AS tags
     FROM image i LEFT JOIN analysis a ON a.image_digest = i.image_digest
     WHERE i.account_name = $1 AND i.image_digest = ANY($2::text[])`,
    [accountName, [...digests]],
  );
  return new Map(
    rows.map((r) => [
      r.image_digest,
      {
        imageDigest: r.image_digest,
        imageId: r.image_id,
        analyzedAt: r.analyzed_at,
        tags: r.tags.map((t) => ({
          registry: t.registry,
          repo: t.repo,
          tag: t.tag,
          tagDetectedAt: new Date(t.tag_detected_at),
        })),
      } satisfies QueriedImage,
    ]),
  );
}

function groupByDigest<R extends { image_digest: string }, T>(
  rows: readonly R[],
  map: (row: R) => T,
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.image_digest) ?? [];
    list.push(map(r));
    out.set(r.image_digest, list);
  }
  return out;
}

const offset = (page: QueryPage) => (page.page - 1) * page.limit;

const VULN_WHERE = `x.ids @> ARRAY[$2::text] AND NOT x.suppressed
  AND ($3::text IS NULL OR x.namespace = $3) AND ($4::text IS NULL OR x.package_name = $4)
  AND ($5::text IS NULL OR lower(x.severity) = lower($5)) AND (NOT $6::boolean OR NOT x.will_not_fix)`;

interface FindingRow {
  image_digest: string;
  vulnerability_id: string;
  namespace: string;
  package_name: string;
  package_version: string;
  package_type: string;
  package_path: string | null;
  severity: NormalizedSeverity;
  fix: string;
  will_not_fix: boolean;
  origin: 'base' | 'app' | 'unknown';
  origin_layer: string | null;
}

/** The account's images with a finding of this vulnerability, one page of images. */
export async function imagesByVulnerability(
  db: Sql,
  accountName: string,
  filter: ByVulnerabilityFilter,
  page: QueryPage,
): Promise<Paged<ImageVulnerabilityHit>> {
  const params = [
    accountName,
    filter.vulnerabilityId,
    filter.namespace ?? null,
    filter.affectedPackage ?? null,
    filter.severity ?? null,
    filter.vendorOnly ?? false,
  ];
  const { rows: hits } = await db.query<{ image_digest: string; total: string | number }>(
    `SELECT image_digest, count(*) OVER () AS total FROM (
       SELECT DISTINCT x.image_digest FROM image_finding x ${ACCOUNT_IMAGES} WHERE ${VULN_WHERE}) d
     ORDER BY image_digest LIMIT $7 OFFSET $8`,
    [...params, page.limit, offset(page)],
  );
  if (hits.length === 0) {
    if (page.page === 1) return { total: 0, items: [] };
    // Past the last page: the count still tells the client how many there are.
    const { rows: counted } = await db.query<{ n: string | number }>(
      `SELECT count(DISTINCT x.image_digest) AS n FROM image_finding x ${ACCOUNT_IMAGES} WHERE ${VULN_WHERE}`,
      params,
    );
    return { total: Number(counted[0]?.n ?? 0), items: [] };
  }
  const total = Number(hits[0]?.total ?? 0);
  const digests = hits.map((h) => h.image_digest);
  const { rows } = await db.query<FindingRow>(
    `SELECT x.* FROM image_finding x ${ACCOUNT_IMAGES}
     WHERE x.image_digest = ANY($7::text[]) AND ${VULN_WHERE}
     ORDER BY x.image_digest, x.package_name, x.package_version`,
    [...params, digests],
  );
  const packages = groupByDigest(rows, (r) => ({
    vulnerabilityId: r.vulnerability_id,
    name: r.package_name,
    version: r.package_version,
    type: r.package_type,
    namespace: r.namespace,
    severity: r.severity,
    fix: r.fix,
    willNotFix: r.will_not_fix,
    path: r.package_path,
    originLayer: r.origin_layer,
    origin: r.origin,
  }));
  const images = await describeImages(db, accountName, digests);
  return {
    total,
    items: digests.flatMap((d) => {
      const image = images.get(d);
      return image ? [{ image, packages: packages.get(d) ?? [] }] : [];
    }),
  };
}

/** `%`, `_` and `\` taken literally in a LIKE prefix. */
const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}@%`;

interface PackageRow {
  image_digest: string;
  name: string;
  version: string;
  type: string;
  purl: string;
  location: string | null;
  origin_layer: string | null;
  from_base: boolean | null;
}

/** The account's images holding a package by name (and type, version) or PURL, one page of images. */
export async function imagesByPackage(
  db: Sql,
  accountName: string,
  filter: ByPackageFilter,
  page: QueryPage,
): Promise<Paged<ImagePackageHit>> {
  if (filter.name === undefined && filter.purl === undefined) return { total: 0, items: [] };
  const exactPurl = filter.purl?.includes('@') ?? false;
  const { rows } = await db.query<PackageRow>(
    `SELECT x.image_digest, x.name, x.version, x.type, x.purl, x.location, x.origin_layer, x.from_base
     FROM image_package x ${ACCOUNT_IMAGES}
     WHERE ($2::text IS NULL OR x.name = $2) AND ($3::text IS NULL OR x.version = $3)
       AND ($4::text IS NULL OR x.type = $4)
       AND ($5::text IS NULL OR (CASE WHEN $6 THEN x.purl = $5 ELSE (x.purl = $5 OR x.purl LIKE $7) END))
     ORDER BY x.image_digest, x.name, x.version`,
    [
      accountName,
      filter.name ?? null,
      filter.version ?? null,
      filter.type ?? null,
      filter.purl ?? null,
      exactPurl,
      filter.purl === undefined ? null : likePrefix(filter.purl),
    ],
  );
  const test = filter.versionTest;
  const kept = test ? rows.filter((r) => test(r.type, r.version)) : rows;
  const grouped = groupByDigest(kept, (r) => ({
    name: r.name,
    version: r.version,
    type: r.type,
    purl: r.purl,
    location: r.location,
    originLayer: r.origin_layer,
    fromBase: r.from_base,
  }));
  const digests = [...grouped.keys()];
  const pageDigests = digests.slice(offset(page), offset(page) + page.limit);
  const images = await describeImages(db, accountName, pageDigests);
  return {
    total: digests.length,
    items: pageDigests.flatMap((d) => {
      const image = images.get(d);
      return image ? [{ image, packages: grouped.get(d) ?? [] }] : [];
    }),
  };
}

/**
 * Analysed digests with a package under one of these advisory lookup keys: the only analyses a
 * feed update touching those keys can change.
 */
export async function digestsWithLookupKeys(
  db: Sql,
  keys: readonly { namespace: string; packageName: string }[],
): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ image_digest: string }>(
    `SELECT DISTINCT k.image_digest FROM image_lookup_key k
     JOIN json_to_recordset($1::json) AS c(ns text, pn text) ON k.namespace = c.ns AND k.package_name = c.pn
     ORDER BY k.image_digest`,
    [JSON.stringify(keys.map((k) => ({ ns: k.namespace, pn: k.packageName })))],
  );
  return rows.map((r) => r.image_digest);
}
