/** Image routes of Anchore's v1 API: list, get, delete, by_id, vuln, content, metadata. */
import { z } from 'zod';
import { parseReference } from '../../../core/image/reference/parse.js';
import { dockerfileFromHistory } from '../../../core/policy/index.js';
import type { ImageRecord } from '../../../store/repositories/images.js';
import { ApiError } from '../../errors.js';
import { imageDigest, queryBoolean } from '../../schemas.js';
import type { RouteDeps, V1 } from '../index.js';
import { addImageRoute } from './add.js';
import { explainRoute } from './explain.js';
import { vulnRoutes } from './vuln.js';
import { CONTENT_TYPES, fullTag, presentImage, presentPackage } from './present.js';
import { analysisPart, callerImage } from './read.js';

const digestParams = z.object({ imageDigest });
const METADATA_TYPES = ['manifest', 'docker_history', 'dockerfile'] as const;

export function imageRoutes(app: V1, deps: RouteDeps): void {
  const present = (images: ImageRecord[]) => images.map(presentImage);

  addImageRoute(app, deps);
  vulnRoutes(app, deps);
  explainRoute(app, deps);

  app.get(
    '/images',
    {
      schema: {
        querystring: z.object({
          fulltag: z.string().max(1024).optional(),
          tag: z.string().max(1024).optional(),
          history: queryBoolean.optional(),
          image_status: z.enum(['active', 'inactive', 'disabled', 'deleting', 'all']).optional(),
          analysis_status: z
            .enum(['not_analyzed', 'analysis_queued', 'analyzing', 'analyzed', 'analysis_failed'])
            .optional(),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const wanted = q.fulltag ?? q.tag;
      const ref = wanted === undefined ? undefined : parseReference(wanted);
      const images = await deps.store.images.list(request.accountName, {
        ...(ref ? { tag: { registry: ref.registry, repo: ref.repository, tag: ref.tag ?? 'latest' } } : {}),
        ...(q.image_status && q.image_status !== 'all'
          ? { imageStatus: q.image_status }
          : q.image_status
            ? {}
            : { imageStatus: 'active' as const }),
        ...(q.analysis_status ? { analysisStatus: q.analysis_status } : {}),
      });
      if (ref && images.length === 0) throw new ApiError(404, 'image data not found in DB');
      // Newest record per tag unless the history is asked for.
      return present(ref && !q.history ? images.slice(0, 1) : images);
    },
  );

  app.get(
    '/images/by_id/:imageId',
    { schema: { params: z.object({ imageId: z.string().regex(/^[0-9a-f]{64}$/) }) } },
    async (request) => {
      const images = await deps.store.images.list(request.accountName, { imageId: request.params.imageId });
      if (images.length === 0) throw new ApiError(404, 'image data not found in DB');
      return present(images);
    },
  );

  app.get(
    '/images/:imageDigest',
    { schema: { params: digestParams, querystring: z.object({ history: queryBoolean.optional() }) } },
    async (request) => present([await callerImage(deps, request.accountName, request.params.imageDigest)]),
  );

  const deleteOne = async (accountName: string, digest: string, force: boolean) => {
    const image = await deps.store.images.get(accountName, digest);
    if (!image) return { digest, status: 'not_found', detail: 'image not found' };
    const keys = image.tags.map(fullTag);
    if (!force && image.analysisStatus === 'analyzing')
      return { digest, status: 'delete_failed', detail: 'cannot delete image that is being analyzed' };
    if (!force && (await deps.store.subscriptions.anyActive(accountName, keys))) {
      return {
        digest,
        status: 'delete_failed',
        detail: 'cannot delete image that is the latest of its tags, and has active subscription',
      };
    }
    if (force) await deps.store.subscriptions.deactivateKeys(accountName, keys);
    await deps.store.images.delete(accountName, digest);
    return { digest, status: 'deleting', detail: null };
  };

  app.delete(
    '/images/:imageDigest',
    { schema: { params: digestParams, querystring: z.object({ force: queryBoolean.optional() }) } },
    async (request) => {
      const result = await deleteOne(
        request.accountName,
        request.params.imageDigest,
        request.query.force ?? false,
      );
      if (result.status === 'not_found') throw new ApiError(404, 'image data not found in DB');
      return result;
    },
  );

  app.delete(
    '/images',
    {
      schema: {
        querystring: z.object({
          imageDigests: z.string().min(1).max(100_000),
          force: queryBoolean.optional(),
        }),
      },
    },
    async (request) => {
      const digests = request.query.imageDigests.split(',').map((d) => d.trim());
      for (const d of digests)
        if (!imageDigest.safeParse(d).success) throw new ApiError(400, `invalid image digest "${d}"`);
      const results = [];
      for (const d of digests)
        results.push(await deleteOne(request.accountName, d, request.query.force ?? false));
      return results;
    },
  );

  app.get('/images/:imageDigest/content', { schema: { params: digestParams } }, async (request) => {
    await analysisPart(deps, request.accountName, request.params.imageDigest, 'metadata');
    return Object.keys(CONTENT_TYPES);
  });

  app.get(
    '/images/:imageDigest/content/:ctype',
    { schema: { params: digestParams.extend({ ctype: z.string().max(64) }) } },
    async (request) => {
      const { imageDigest: digest, ctype } = request.params;
      const types = CONTENT_TYPES[ctype];
      if (!types)
        throw new ApiError(
          404,
          `unknown content type "${ctype}"; known: ${Object.keys(CONTENT_TYPES).join(', ')}`,
        );
      const { value: sbom } = await analysisPart(deps, request.accountName, digest, 'sbom');
      const content =
        types === 'files'
          ? sbom.files.map((f) => ({
              filename: f.path,
              size: f.size,
              mode: f.mode.toString(8).padStart(5, '0'),
              sha256: f.sha256 ?? null,
              type: f.type,
              uid: f.uid,
              gid: f.gid,
              linkdest: f.linkTarget ?? null,
              origin_layer: f.layerDiffId ?? null,
            }))
          : sbom.packages.filter((p) => types.includes(p.type)).map((p) => presentPackage(p, ctype));
      return { imageDigest: digest, content_type: ctype, content };
    },
  );

  app.get('/images/:imageDigest/metadata', { schema: { params: digestParams } }, async (request) => {
    await analysisPart(deps, request.accountName, request.params.imageDigest, 'metadata');
    return [...METADATA_TYPES];
  });

  app.get(
    '/images/:imageDigest/metadata/:mtype',
    { schema: { params: digestParams.extend({ mtype: z.enum(METADATA_TYPES) }) } },
    async (request) => {
      const { imageDigest: digest, mtype } = request.params;
      const { image, value: metadata } = await analysisPart(deps, request.accountName, digest, 'metadata');
      const text =
        mtype === 'manifest'
          ? metadata.manifest
          : mtype === 'docker_history'
            ? JSON.stringify(metadata.config.history ?? [])
            : (image.dockerfile ??
              dockerfileFromHistory(
                (metadata.config.history ?? []).map((h) => ({
                  createdBy: h.created_by ?? '',
                  emptyLayer: h.empty_layer ?? false,
                })),
              ));
      return {
        imageDigest: digest,
        metadata_type: mtype,
        metadata: Buffer.from(text, 'utf8').toString('base64'),
      };
    },
  );
}
