/**
 * API tokens for automation (a Portcullis extra under `/user/api_keys`): the token value is
 * answered once, at creation, and never again; list shows the metadata; revoke is immediate.
 */
import { z } from 'zod';
import type { ApiToken } from '../../store/repositories/api-tokens.js';
import { ApiError, notFound } from '../errors.js';
import { isoTime } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

const present = (t: ApiToken) => ({
  id: t.id,
  name: t.name,
  created_at: isoTime(t.createdAt),
  expires_at: isoTime(t.expiresAt),
  last_used_at: isoTime(t.lastUsedAt),
  revoked_at: isoTime(t.revokedAt),
});

export function apiKeyRoutes(app: V1, deps: RouteDeps): void {
  const tokens = deps.store.tokens;
  const me = (request: { principal: { user: { username: string } } | null }) =>
    request.principal!.user.username;

  app.get('/user/api_keys', async (request) => (await tokens.list(me(request))).map(present));

  app.post(
    '/user/api_keys',
    {
      schema: {
        body: z.object({
          name: z.string().min(1).max(200),
          expires_at: z.string().datetime({ offset: true }).nullish(),
        }),
      },
    },
    async (request) => {
      const expiresAt = request.body.expires_at ? new Date(request.body.expires_at) : null;
      if (expiresAt && expiresAt <= new Date()) throw new ApiError(400, 'expires_at must be in the future');
      const { token, secret } = await tokens.create({
        username: me(request),
        name: request.body.name,
        expiresAt,
      });
      return { ...present(token), token: secret };
    },
  );

  app.delete(
    '/user/api_keys/:keyId',
    { schema: { params: z.object({ keyId: z.string().uuid() }) } },
    async (request, reply) => {
      if (!(await tokens.revoke(me(request), request.params.keyId))) throw notFound('API key');
      return reply.status(204).send();
    },
  );
}
