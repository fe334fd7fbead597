/**
 * The registry push endpoint: Docker distribution's notification envelope
 * (`application/vnd.docker.distribution.events.v1+json`, body `{events: [...]}`), authenticated
 * by a shared token the registry sends in the Authorization header of its endpoint config.
 * Manifest and index pushes are queued once per event id (`registry-push`) and answered 202 at
 * once; blob events, pulls, mounts and deletes are acknowledged and ignored.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { enqueuePush } from '../../queue/push.js';
import { ApiError } from '../errors.js';
import type { RouteDeps, V1 } from './index.js';

export const REGISTRY_EVENTS_TYPES = [
  'application/vnd.docker.distribution.events.v1+json',
  'application/vnd.docker.distribution.events.v2+json',
];

const MANIFEST_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
]);

const registryEvent = z
  .object({
    id: z.string().min(1).max(256),
    timestamp: z.string().max(64).optional(),
    action: z.string().max(32),
    target: z
      .object({
        mediaType: z.string().max(256).optional(),
        digest: z.string().max(128).optional(),
        repository: z.string().max(512).optional(),
        url: z.string().max(2048).optional(),
        tag: z.string().max(128).optional(),
      })
      .passthrough(),
    request: z
      .object({ host: z.string().max(512).optional(), addr: z.string().max(512).optional() })
      .passthrough()
      .optional(),
    source: z
      .object({ addr: z.string().max(512).optional(), instanceID: z.string().max(256).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

const envelope = z.object({ events: z.array(registryEvent).max(1000) });

export interface RegistryNotificationConfig {
  /** Accepted `Authorization` values' tokens (`Bearer <token>`); `registry` overrides the host the events name. */
  tokens: readonly { token: string; registry?: string }[];
}

function matchToken(config: RegistryNotificationConfig | undefined, header: string | undefined) {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  if (given.length === 0) return undefined;
  return config?.tokens.find((t) => {
    const want = Buffer.from(t.token);
    return want.length === given.length && timingSafeEqual(want, given);
  });
}

/** host[:port] of the registry an event came from, as accounts name it. */
function registryOf(e: z.infer<typeof registryEvent>): string | undefined {
  if (e.target.url) {
    try {
      return new URL(e.target.url).host;
    } catch {
      return e.request?.host;
    }
  }
  return e.request?.host;
}

export function registryEventRoutes(app: V1, deps: RouteDeps): void {
  app.addContentTypeParser(
    REGISTRY_EVENTS_TYPES,
    { parseAs: 'string', bodyLimit: 4 * 1024 * 1024 },
    (_r, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(new ApiError(400, 'malformed JSON in the registry notification'), undefined);
      }
    },
  );

  app.post('/registry/notifications', { config: { public: true } }, async (request, reply) => {
    const token = matchToken(deps.registryNotifications, request.headers.authorization);
    if (!token) throw new ApiError(401, 'registry notification token missing or not accepted');
    const parsed = envelope.safeParse(request.body);
    if (!parsed.success)
      throw new ApiError(
        400,
        `not a registry notification envelope: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
    let queued = 0;
    let duplicates = 0;
    let ignored = 0;
    for (const e of parsed.data.events) {
      const registry = token.registry ?? registryOf(e);
      const { digest, repository } = e.target;
      if (
        e.action !== 'push' ||
        !MANIFEST_TYPES.has(e.target.mediaType ?? '') ||
        !registry ||
        !repository ||
        !digest ||
        !/^sha256:[0-9a-f]{64}$/.test(digest)
      ) {
        ignored++;
        continue;
      }
      const fresh = await deps.store.db.transaction(async (tx) => {
        if (!(await deps.store.watches.firstSight(e.id, registry, repository, tx))) return false;
        await enqueuePush(
          deps.queue,
          {
            registry,
            repository,
            ...(e.target.tag ? { tag: e.target.tag } : {}),
            digest,
            ...(e.target.mediaType ? { mediaType: e.target.mediaType } : {}),
            receivedFrom: e.source?.addr ?? e.request?.addr ?? request.ip,
            eventId: e.id,
          },
          tx,
        );
        return true;
      });
      if (fresh) queued++;
      else duplicates++;
    }
    return reply.status(202).send({ queued, duplicates, ignored });
  });
}
