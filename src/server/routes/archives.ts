/**
 * Anchore's analysis archive: `/archives` (summary), `/archives/images` (archive a list of
 * digests, list, get, delete). The work is in src/archive; restoring is `POST /images` with
 * `source.archive` (images/add.ts). Rules are in archive-rules.ts (registered beside these).
 */
import { z } from 'zod';
import { archivedImage, archiveImage, ArchiveFailure, deleteArchivedImage } from '../../archive/images.js';
import { ArchiveRuleRepository } from '../../store/repositories/archive-rules.js';
import { ArchivedImageRepository, type ArchivedImage } from '../../store/repositories/archives.js';
import { ApiError } from '../errors.js';
import { imageDigest, queryBoolean } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

const STATUS_BY_KIND = { not_found: 404, conflict: 409, invalid: 400, forbidden: 403 } as const;

/** Runs an archive call, answering its refusals in Anchore's error body. */
export async function archiveCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ArchiveFailure) throw new ApiError(STATUS_BY_KIND[err.kind], err.message);
    throw err;
  }
}

const iso = (d: Date | null) => d?.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? null;

export const presentArchived = (a: ArchivedImage) => ({
  imageDigest: a.imageDigest,
  parentDigest: a.parentDigest,
  annotations: a.annotations,
  status: a.status,
  image_detail: a.tags.map((t) => ({
    pullstring: `${t.registry}/${t.repo}:${t.tag}`,
    registry: t.registry,
    repository: t.repo,
    tag: t.tag,
    detected_at: iso(new Date(t.tagDetectedAt)),
  })),
  created_at: iso(a.createdAt),
  last_updated: iso(a.lastUpdated),
  analyzed_at: iso(a.analyzedAt),
  archive_size_bytes: a.archiveSizeBytes,
});

const digestList = z
  .array(z.string().max(1024), { message: 'the body must be a JSON list of image digests' })
  .min(1, 'the body must name at least one image digest')
  .max(1000, 'at most 1000 image digests per request');

export function archiveRoutes(app: V1, deps: RouteDeps): void {
  const ctx = { store: deps.store, hostId: deps.hostId };
  const archives = new ArchivedImageRepository(deps.store.db);
  const rules = new ArchiveRuleRepository(deps.store.db);

  app.get('/archives', async (request) => {
    const summary = await archives.summary(request.accountName);
    const ruleList = await rules.list(request.accountName);
    const ruleUpdated = ruleList.reduce<Date | null>(
      (max, r) => (max === null || r.lastUpdated > max ? r.lastUpdated : max),
      null,
    );
    return {
      images: {
        total_image_count: summary.totalImages,
        total_tag_count: summary.totalTags,
        total_data_bytes: summary.totalBytes,
        last_updated: iso(summary.lastUpdated),
      },
      rules: { count: ruleList.length, last_updated: iso(ruleUpdated) },
    };
  });

  app.get('/archives/images', async (request) =>
    (await archives.list(request.accountName)).map(presentArchived),
  );

  app.post('/archives/images', { schema: { body: digestList } }, async (request) => {
    const results = [];
    for (const digest of new Set(request.body)) {
      results.push(await archiveImage(ctx, request.accountName, digest));
    }
    return results;
  });

  const params = z.object({ imageDigest });

  app.get('/archives/images/:imageDigest', { schema: { params } }, async (request) =>
    presentArchived(
      await archiveCall(() => archivedImage(deps.store, request.accountName, request.params.imageDigest)),
    ),
  );

  app.delete(
    '/archives/images/:imageDigest',
    { schema: { params, querystring: z.object({ force: queryBoolean.optional() }) } },
    async (request, reply) => {
      await archiveCall(() =>
        deleteArchivedImage(
          ctx,
          request.accountName,
          request.params.imageDigest,
          request.query.force ?? false,
        ),
      );
      return reply.status(200).send();
    },
  );
}
