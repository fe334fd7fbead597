/**
 * Anchore's /subscriptions: list (filtered by exact key and type), add, get, update, delete.
 * Tag subscriptions are keyed by the normalised full tag, repo_update by registry/repo with a
 * JSON string value ({autosubscribe, lookuptag, tagcount}), as the engine stored them.
 */
import { z } from 'zod';
import { parseReference } from '../../core/image/reference/parse.js';
import type { Subscription } from '../../store/repositories/subscriptions.js';
import { ApiError, notFound } from '../errors.js';
import type { RouteDeps, V1 } from './index.js';

const SUBSCRIPTION_TYPES = [
  'tag_update',
  'analysis_update',
  'vuln_update',
  'policy_eval',
  'repo_update',
] as const;
type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];

const repoValue = z.object({
  autosubscribe: z.boolean().default(false),
  lookuptag: z.string().min(1).max(128).default('latest'),
  tagcount: z.number().int().nonnegative().optional(),
});

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export const presentSubscription = (s: Subscription) => ({
  subscription_id: s.id,
  userId: s.accountName,
  subscription_type: s.type,
  subscription_key: s.key,
  subscription_value: s.value,
  active: s.active,
  created_at: seconds(s.createdAt),
  last_updated: seconds(s.lastUpdated),
});

/** The stored key: a full tag for the tag types, registry/repo for repo_update. */
function normaliseKey(type: SubscriptionType, key: string): string {
  let ref;
  try {
    ref = parseReference(type === 'repo_update' ? `${key}:latest` : key);
  } catch {
    throw new ApiError(
      400,
      `subscription_key is not a valid ${type === 'repo_update' ? 'repository' : 'tag'}: ${key}`,
    );
  }
  if (type === 'repo_update') return `${ref.registry}/${ref.repository}`;
  return `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
}

function normaliseValue(type: SubscriptionType, value: string | null | undefined): string | null {
  if (type !== 'repo_update') return value ?? null;
  let parsed: unknown = {};
  try {
    parsed = value ? JSON.parse(value) : {};
  } catch {
    throw new ApiError(400, 'subscription_value of repo_update must be a JSON string');
  }
  const result = repoValue.safeParse(parsed);
  if (!result.success)
    throw new ApiError(400, `invalid repo_update value: ${result.error.issues[0]?.message}`);
  return JSON.stringify(result.data);
}

const idParams = z.object({ subscriptionId: z.string().min(1).max(128) });

export function subscriptionRoutes(app: V1, deps: RouteDeps): void {
  const { subscriptions } = deps.store;

  app.get(
    '/subscriptions',
    {
      schema: {
        querystring: z.object({
          subscription_key: z.string().max(1024).optional(),
          subscription_type: z.enum(SUBSCRIPTION_TYPES).optional(),
        }),
      },
    },
    async (request) =>
      (
        await subscriptions.list(request.accountName, {
          key: request.query.subscription_key,
          type: request.query.subscription_type,
        })
      ).map(presentSubscription),
  );

  app.post(
    '/subscriptions',
    {
      schema: {
        body: z.object({
          subscription_type: z.enum(SUBSCRIPTION_TYPES),
          subscription_key: z.string().min(1).max(1024),
          subscription_value: z.string().max(4096).nullable().optional(),
          active: z.boolean().default(true),
        }),
      },
    },
    async (request) => {
      const body = request.body;
      const added = await subscriptions.add({
        accountName: request.accountName,
        type: body.subscription_type,
        key: normaliseKey(body.subscription_type, body.subscription_key),
        value: normaliseValue(body.subscription_type, body.subscription_value),
        active: body.active,
      });
      if (!added) throw new ApiError(409, 'subscription already exists');
      return [presentSubscription(added)];
    },
  );

  app.get('/subscriptions/:subscriptionId', { schema: { params: idParams } }, async (request) => {
    const found = await subscriptions.get(request.accountName, request.params.subscriptionId);
    if (!found) throw notFound('subscription');
    return [presentSubscription(found)];
  });

  app.put(
    '/subscriptions/:subscriptionId',
    {
      schema: {
        params: idParams,
        body: z.object({
          active: z.boolean().optional(),
          subscription_key: z.string().max(1024).optional(),
          subscription_type: z.enum(SUBSCRIPTION_TYPES).optional(),
          subscription_value: z.string().max(4096).nullable().optional(),
        }),
      },
    },
    async (request) => {
      const { accountName } = request;
      const existing = await subscriptions.get(accountName, request.params.subscriptionId);
      if (!existing) throw notFound('subscription');
      const body = request.body;
      if (body.subscription_type !== undefined && body.subscription_type !== existing.type) {
        throw new ApiError(400, 'the subscription_type of a subscription cannot change');
      }
      const type = existing.type as SubscriptionType;
      if (body.subscription_key !== undefined && normaliseKey(type, body.subscription_key) !== existing.key) {
        throw new ApiError(400, 'the subscription_key of a subscription cannot change');
      }
      const updated = await subscriptions.update(accountName, existing.id, {
        active: body.active,
        ...(body.subscription_value !== undefined
          ? { value: normaliseValue(type, body.subscription_value) }
          : {}),
      });
      if (!updated) throw notFound('subscription');
      return [presentSubscription(updated)];
    },
  );

  app.delete('/subscriptions/:subscriptionId', { schema: { params: idParams } }, async (request, reply) => {
    if (!(await subscriptions.delete(request.accountName, request.params.subscriptionId))) {
      throw notFound('subscription');
    }
    return reply.status(200).send();
  });
}
