/**
 * Anchore's /query routes over the search index (store/repositories/image-queries.ts):
 * images by vulnerability, images by package (plus PURL and version-range extras) and
 * vulnerability records. Envelopes as the engine wrote them: `page`/`next_page` are strings,
 * `next_page` present only when there is one; elements carry the engine's shapes plus the
 * layer of origin and whether it comes from the base image.
 */
import { z } from 'zod';
import { PACKAGE_TYPES, type PackageType } from '../../core/sbom/package-types.js';
import {
  imagesByPackage,
  imagesByVulnerability,
  type Paged,
  type QueriedImage,
  type QueryPage,
} from '../../store/repositories/image-queries.js';
import { queryVulnerabilities } from '../../store/repositories/vulnerability-queries.js';
import { ApiError } from '../errors.js';
import { isoTime, queryBoolean } from '../schemas.js';
import { ANCHORE_PACKAGE_TYPE, nvdData, vendorCvss } from './images/present.js';
import type { RouteDeps, V1 } from './index.js';
import { parseVersionRange } from './version-range.js';

const paging = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
};

/** Anchore's type names (dpkg, APKG, nuget...) or ours, any case, to ours. */
function packageType(name: string): PackageType {
  const lower = name.toLowerCase();
  const found = PACKAGE_TYPES.find((t) => t === lower || ANCHORE_PACKAGE_TYPE[t].toLowerCase() === lower);
  if (!found) throw new ApiError(400, `unknown package_type ${name}`);
  return found;
}

const anchoreType = (type: string) => ANCHORE_PACKAGE_TYPE[type as PackageType] ?? type;

function envelope<T>(key: string, result: Paged<T>, page: QueryPage, items: unknown[]) {
  const more = (page.page - 1) * page.limit + result.items.length < result.total;
  return {
    [key]: items,
    page: String(page.page),
    returned_count: items.length,
    total_count: result.total,
    ...(more ? { next_page: String(page.page + 1) } : {}),
  };
}

export function presentQueriedImage(image: QueriedImage) {
  return {
    imageDigest: image.imageDigest,
    imageId: image.imageId ?? '',
    analyzed_at: isoTime(image.analyzedAt),
    tag_history: image.tags.map((t) => ({
      registry: t.registry,
      repo: t.repo,
      tag: t.tag,
      fulltag: `${t.registry}/${t.repo}:${t.tag}`,
      tag_detected_at: isoTime(t.tagDetectedAt),
    })),
  };
}

export function queryRoutes(app: V1, deps: RouteDeps): void {
  const { db } = deps.store;

  app.get(
    '/query/images/by_vulnerability',
    {
      schema: {
        querystring: z.object({
          vulnerability_id: z.string().min(1).max(256),
          severity: z.string().max(32).optional(),
          namespace: z.string().max(256).optional(),
          affected_package: z.string().max(512).optional(),
          vendor_only: queryBoolean.optional(),
          ...paging,
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const page = { page: q.page, limit: q.limit };
      const result = await imagesByVulnerability(
        db,
        request.accountName,
        {
          vulnerabilityId: q.vulnerability_id,
          ...(q.severity ? { severity: q.severity } : {}),
          ...(q.namespace ? { namespace: q.namespace } : {}),
          ...(q.affected_package ? { affectedPackage: q.affected_package } : {}),
          vendorOnly: q.vendor_only ?? false,
        },
        page,
      );
      return envelope(
        'images',
        result,
        page,
        result.items.map((hit) => ({
          image: presentQueriedImage(hit.image),
          vulnerable_packages: hit.packages.map((p) => ({
            name: p.name,
            version: p.version,
            type: anchoreType(p.type),
            namespace: p.namespace,
            severity: p.severity,
            vulnerability_id: p.vulnerabilityId,
            fix: p.fix,
            will_not_fix: p.willNotFix,
            package_path: p.path,
            origin_layer: p.originLayer,
            from_base: p.origin === 'unknown' ? null : p.origin === 'base',
          })),
        })),
      );
    },
  );

  app.get(
    '/query/images/by_package',
    {
      schema: {
        querystring: z.object({
          name: z.string().min(1).max(512).optional(),
          version: z.string().min(1).max(256).optional(),
          package_type: z.string().min(1).max(32).optional(),
          purl: z.string().min(5).max(1024).optional(),
          version_range: z.string().min(1).max(256).optional(),
          ...paging,
        }),
      },
    },
    async (request) => {
      const q = request.query;
      if (q.name === undefined && q.purl === undefined) throw new ApiError(400, 'name or purl is required');
      const page = { page: q.page, limit: q.limit };
      const range = q.version_range === undefined ? undefined : parseVersionRange(q.version_range);
      const result = await imagesByPackage(
        db,
        request.accountName,
        {
          ...(q.name ? { name: q.name } : {}),
          ...(q.version ? { version: q.version } : {}),
          ...(q.package_type ? { type: packageType(q.package_type) } : {}),
          ...(q.purl ? { purl: q.purl } : {}),
          ...(range ? { versionTest: range } : {}),
        },
        page,
      );
      return envelope(
        'images',
        result,
        page,
        result.items.map((hit) => ({
          image: presentQueriedImage(hit.image),
          packages: hit.packages.map((p) => ({
            name: p.name,
            version: p.version,
            type: anchoreType(p.type),
            purl: p.purl,
            location: p.location,
            origin_layer: p.originLayer,
            from_base: p.fromBase,
          })),
        })),
      );
    },
  );

  app.get(
    '/query/vulnerabilities',
    {
      schema: {
        querystring: z.object({
          id: z.union([z.string().min(1).max(4096), z.array(z.string().min(1).max(256)).max(100)]),
          affected_package: z.string().min(1).max(512).optional(),
          affected_package_version: z.string().min(1).max(256).optional(),
          namespace: z.string().min(1).max(256).optional(),
          ...paging,
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const ids = [q.id]
        .flat()
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean);
      if (ids.length === 0 || ids.length > 100) throw new ApiError(400, 'between 1 and 100 ids are required');
      if (q.affected_package_version && !q.affected_package)
        throw new ApiError(400, 'affected_package_version needs affected_package');
      const page = { page: q.page, limit: q.limit };
      const result = await queryVulnerabilities(
        db,
        {
          ids,
          ...(q.namespace ? { namespace: q.namespace } : {}),
          ...(q.affected_package ? { affectedPackage: q.affected_package } : {}),
          ...(q.affected_package_version ? { affectedPackageVersion: q.affected_package_version } : {}),
        },
        page,
      );
      const cveIdsOf = (v: (typeof result.items)[number]) =>
        [v.id, ...v.aliases].filter((id) => id.startsWith('CVE-'));
      const enrichment =
        (await deps.advisories?.enrichment?.([...new Set(result.items.flatMap(cveIdsOf))])) ?? new Map();
      const cvssOf = (v: (typeof result.items)[number]) =>
        cveIdsOf(v).flatMap((id) => enrichment.get(id)?.cvss ?? []);
      return envelope(
        'vulnerabilities',
        result,
        page,
        result.items.map((v) => ({
          id: v.id,
          namespace: v.namespace,
          severity: v.severity,
          link: advisoryLink(v.id),
          description: v.summary ?? '',
          affected_packages: v.affectedPackages.map((p) => ({
            name: p.name,
            version: p.fixedIn,
            type: p.versionScheme,
            will_not_fix: p.willNotFix,
          })),
          aliases: v.aliases,
          references: v.references,
          nvd_data: nvdData(cvssOf(v), cveIdsOf(v)),
          vendor_data: vendorCvss(cvssOf(v)),
        })),
      );
    },
  );
}

function advisoryLink(id: string): string {
  if (id.startsWith('CVE-')) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${id}`;
}
