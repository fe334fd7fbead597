/**
 * `GET /summaries/imagetags` (one row per tag of each active image, Anchore's image-tag
 * summary with epoch-second times) and the native extra `GET /images/{d}/sbom?format=`, the
 * stored SBOM rendered by the core's SBOM formats.
 */
import { z } from 'zod';
import { renderSbom } from '../../core/sbom/formats/index.js';
import { imageDigest } from '../schemas.js';
import { fullTag } from './images/present.js';
import { analysisPart } from './images/read.js';
import type { RouteDeps, V1 } from './index.js';

const epoch = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

const SBOM_MEDIA_TYPES = {
  native: 'application/json',
  'cyclonedx-json': 'application/vnd.cyclonedx+json',
  'spdx-json': 'application/spdx+json',
} as const;

export function summaryRoutes(app: V1, deps: RouteDeps): void {
  app.get(
    '/summaries/imagetags',
    {
      schema: {
        querystring: z.object({
          image_status: z.enum(['active', 'inactive', 'disabled', 'deleting', 'all']).optional(),
        }),
      },
    },
    async (request) => {
      const status = request.query.image_status ?? 'active';
      const images = await deps.store.images.list(
        request.accountName,
        status === 'all' ? {} : { imageStatus: status },
      );
      return images.flatMap((image) =>
        image.tags.map((t) => ({
          imageDigest: image.imageDigest,
          parentDigest: image.parentDigest ?? '',
          imageId: image.imageId ?? '',
          analysis_status: image.analysisStatus,
          image_status: image.imageStatus,
          fulltag: fullTag(t),
          created_at: epoch(image.createdAt),
          analyzed_at: epoch(image.analyzedAt),
          tag_detected_at: epoch(t.tagDetectedAt),
        })),
      );
    },
  );

  app.get(
    '/images/:imageDigest/sbom',
    {
      schema: {
        params: z.object({ imageDigest }),
        querystring: z.object({
          format: z.enum(['native', 'cyclonedx-json', 'spdx-json']).default('native'),
        }),
      },
    },
    async (request, reply) => {
      const { value } = await analysisPart(deps, request.accountName, request.params.imageDigest, 'sbom');
      const format = request.query.format;
      return reply.type(SBOM_MEDIA_TYPES[format]).send(renderSbom(value, format));
    },
  );
}
