/** POST /images: resolve the reference, record image + tag + subscriptions, queue the analysis. */
import { z } from 'zod';
import { parseReference } from '../../../core/image/reference/parse.js';
import { addImageAndQueue } from '../../../queue/request-analysis.js';
import { ApiError } from '../../errors.js';
import { imageDigest, queryBoolean } from '../../schemas.js';
import { restoreImage } from '../../../archive/images.js';
import { archiveCall } from '../archives.js';
import type { RouteDeps, V1 } from '../index.js';
import { fullTag, presentImage } from './present.js';

const addBody = z
  .object({
    tag: z.string().min(1).max(1024).optional(),
    digest: z.string().max(1024).optional(),
    dockerfile: z
      .string()
      .max(1024 * 1024)
      .optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    created_at: z.string().optional(),
    source: z
      .object({
        tag: z
          .object({ pullstring: z.string().min(1).max(1024), dockerfile: z.string().optional() })
          .optional(),
        digest: z
          .object({
            pullstring: z.string().min(1).max(1024),
            tag: z.string().max(1024).optional(),
            creation_timestamp_override: z.string().optional(),
          })
          .optional(),
        /** Restore from the analysis archive (src/archive): no pull, the stored SBOM matched again. */
        archive: z.object({ digest: imageDigest }).optional(),
      })
      .optional(),
  })
  .refine(
    (b) => b.tag || b.source?.tag || b.source?.digest || b.source?.archive || b.digest,
    'one of tag, digest or source (tag, digest or archive) is required',
  );

function decodeDockerfile(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text.replace(/\s/g, '')))
    throw new ApiError(400, 'dockerfile must be base64-encoded');
  return Buffer.from(text, 'base64').toString('utf8');
}

export function addImageRoute(app: V1, deps: RouteDeps): void {
  app.post(
    '/images',
    {
      schema: {
        body: addBody,
        querystring: z.object({ autosubscribe: queryBoolean.optional(), force: queryBoolean.optional() }),
      },
    },
    async (request) => {
      const body = request.body;
      if (body.source?.archive) {
        const { digest } = body.source.archive;
        const ctx = { store: deps.store, hostId: deps.hostId };
        await archiveCall(() => restoreImage(ctx, request.accountName, digest));
        return [presentImage((await deps.store.images.get(request.accountName, digest))!)];
      }
      const pull =
        body.source?.tag?.pullstring ?? body.source?.digest?.pullstring ?? body.tag ?? body.digest ?? '';
      const ref = parseReference(pull);
      const tagRef = body.source?.digest?.tag ? parseReference(body.source.digest.tag) : ref;
      const tag = { registry: tagRef.registry, repo: tagRef.repository, tag: tagRef.tag ?? 'latest' };
      const dockerfile = decodeDockerfile(body.source?.tag?.dockerfile ?? body.dockerfile);
      const { digest, parentDigest } = ref.digest
        ? { digest: ref.digest, parentDigest: null }
        : await deps.resolveImage(ref, request.accountName);
      const force = request.query.force ?? false;
      const existing = await deps.store.images.get(request.accountName, digest);
      if (existing && dockerfile !== undefined && !force) {
        throw new ApiError(400, 'cannot add a Dockerfile to an image already added without force=true');
      }
      const image = await addImageAndQueue(deps.store, deps.queue, {
        accountName: request.accountName,
        imageDigest: digest,
        parentDigest,
        tag,
        annotations: body.annotations ?? {},
        dockerfile: dockerfile ?? null,
        force,
      });
      await deps.store.subscriptions.ensureForTag(
        request.accountName,
        fullTag(tag),
        request.query.autosubscribe ?? true,
      );
      return [presentImage(image)];
    },
  );
}
