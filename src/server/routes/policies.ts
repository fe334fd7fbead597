/**
 * Policy bundles, Anchore's `/policies`: every bundle is validated by the policy core before it
 * is stored (400 naming the gate, trigger or parameter at fault); one bundle is active per
 * account; the active one can be neither deleted nor deactivated.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { validateBundle } from '../../core/policy/index.js';
import type { PolicyRecord } from '../../store/repositories/policies.js';
import { Notifier } from '../../notifications/notify.js';
import { enqueueReevaluation } from '../../queue/reevaluate.js';
import { ApiError, notFound } from '../errors.js';
import { isoTime, jsonString, queryBoolean, timestamp } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

export const policyRecordSchema = z.object({
  policyId: z.string(),
  active: z.boolean(),
  userId: z.string(),
  policy_source: z.string(),
  name: z.string(),
  description: z.string(),
  policybundle: z.unknown(),
  policybundlemeta: z.record(z.string(), z.unknown()),
  created_at: timestamp,
  last_updated: timestamp,
});

export function presentPolicy(p: PolicyRecord, detail: boolean): z.infer<typeof policyRecordSchema> {
  return {
    policyId: p.policyId,
    active: p.active,
    userId: p.accountName,
    policy_source: 'local',
    name: p.name,
    description: p.description,
    policybundle: detail ? p.bundle : {},
    policybundlemeta: {},
    created_at: isoTime(p.createdAt),
    last_updated: isoTime(p.lastUpdated),
  };
}

const bundleBody = z.record(z.string(), z.unknown());
const detailQuery = z.object({ detail: queryBoolean.optional() });
const idParams = z.object({ policyId: z.string().min(1).max(256) });

/** The bundle, validated; a failure is Anchore's 400 with every issue listed. */
function checkedBundle(raw: unknown): { id: string; name: string; comment: string } {
  const result = validateBundle(raw);
  if (!result.ok) {
    const issues = result.errors.map((e) => `${e.path}: ${e.message}`);
    throw new ApiError(400, `Bundle failed validation: ${issues.join('; ')}`, {
      validation_details: result.errors,
    });
  }
  const doc = raw as { name?: unknown; comment?: unknown };
  return {
    id: result.bundle.id,
    name: typeof doc.name === 'string' ? doc.name : '',
    comment: typeof doc.comment === 'string' ? doc.comment : '',
  };
}

/** Anchore's id for a bundle without one: md5 of `account:name`. */
const derivedId = (accountName: string, name: string) =>
  createHash('md5').update(`${accountName}:${name}`).digest('hex');

/**
 * The policy every image is judged by changed: Anchore's `user.policy.active.updated` (another
 * bundle activated) or `user.policy.active.content_change` (the active one edited) event, and
 * the re-evaluation of the account's images.
 */
async function activePolicyChanged(
  deps: RouteDeps,
  accountName: string,
  policyId: string,
  how: 'edited' | 'activated',
): Promise<void> {
  const event = {
    accountName,
    ...(how === 'activated'
      ? { type: 'user.policy.active.updated' as const, message: `Policy bundle ${policyId} activated` }
      : {
          type: 'user.policy.active.content_change' as const,
          message: `Active policy bundle ${policyId} edited`,
        }),
    level: 'info' as const,
    details: { policy_id: policyId },
    resourceType: 'policy',
    resourceId: policyId,
    sourceService: 'apiext',
    sourceHost: deps.hostId,
  };
  // Through the notifier, as every event: an event_log webhook at `info` receives it.
  await (deps.notifier ?? new Notifier(deps.store.db, deps.queue)).recordEvent(event);
  await enqueueReevaluation(deps.queue, accountName, `policy ${policyId} ${how}`);
}

export function policyRoutes(app: V1, deps: RouteDeps): void {
  const policies = deps.store.policies;

  app.get('/policies', { schema: { querystring: detailQuery } }, async (request) =>
    (await policies.list(request.accountName)).map((p) => presentPolicy(p, request.query.detail ?? false)),
  );

  app.post('/policies', { schema: { querystring: detailQuery, body: bundleBody } }, async (request) => {
    const bundle = request.body;
    const checked = checkedBundle(bundle);
    const policyId = checked.id || derivedId(request.accountName, checked.name);
    const stored = await policies.upsert({
      accountName: request.accountName,
      policyId,
      name: checked.name,
      description: checked.comment,
      bundle: { ...bundle, id: policyId },
    });
    // Re-posting the active bundle's id edits the policy every image is judged by.
    if (stored.active) await activePolicyChanged(deps, request.accountName, policyId, 'edited');
    return presentPolicy(stored, request.query.detail ?? true);
  });

  app.get(
    '/policies/:policyId',
    { schema: { params: idParams, querystring: detailQuery } },
    async (request) => {
      const found = await policies.get(request.accountName, request.params.policyId);
      if (!found) throw notFound('policy bundle');
      return [presentPolicy(found, request.query.detail ?? true)];
    },
  );

  app.put(
    '/policies/:policyId',
    {
      schema: {
        params: idParams,
        body: z.object({
          policyId: z.string().optional(),
          active: z.boolean().optional(),
          policybundle: bundleBody.optional(),
        }),
      },
    },
    async (request) => {
      const { accountName } = request;
      const { policyId } = request.params;
      const body = request.body;
      if (body.policyId !== undefined && body.policyId !== policyId)
        throw new ApiError(400, `the body's policyId ${body.policyId} is not the path's ${policyId}`);
      const current = await policies.get(accountName, policyId);
      if (!current) throw notFound('policy bundle');
      if (body.active === false && current.active)
        throw new ApiError(400, 'cannot deactivate the active policy bundle; activate another one instead');
      const bundle =
        body.policybundle && Object.keys(body.policybundle).length > 0 ? body.policybundle : undefined;
      if (bundle) {
        const checked = checkedBundle(bundle);
        if (checked.id && checked.id !== policyId)
          throw new ApiError(400, `the bundle's id ${checked.id} is not the path's ${policyId}`);
        await policies.upsert({
          accountName,
          policyId,
          name: checked.name,
          description: checked.comment,
          bundle: { ...bundle, id: policyId },
        });
      }
      const result = body.active
        ? await policies.activate(accountName, policyId)
        : await policies.get(accountName, policyId);
      if (!result) throw notFound('policy bundle');
      if ((bundle && current.active) || (body.active && !current.active))
        await activePolicyChanged(deps, accountName, policyId, current.active ? 'edited' : 'activated');
      return [presentPolicy(result, true)];
    },
  );

  app.delete('/policies/:policyId', { schema: { params: idParams } }, async (request, reply) => {
    const current = await policies.get(request.accountName, request.params.policyId);
    if (!current) throw notFound('policy bundle');
    if (current.active)
      throw new ApiError(400, 'cannot delete the active policy bundle; activate another one first');
    await policies.delete(request.accountName, request.params.policyId);
    return reply.type('application/json').send(jsonString('deleted'));
  });
}
