/**
 * Admission control through the API: exceptions (WhiteListItem-style, per Helm release),
 * the audit trail with filters and paging, and the webhook's configuration. All account-scoped:
 * the config is shown only to the account the cluster is judged by.
 */
import { z } from 'zod';
import type { StoredAuditRecord, StoredException } from '../../store/repositories/admission.js';
import { ApiError } from '../errors.js';
import { isoTime } from '../schemas.js';
import type { RouteDeps, V1 } from './index.js';

const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;

const exceptionBody = z.object({
  release: z.string().min(1).max(253),
  namespace: z.string().min(1).max(253).optional(),
  reason: z.string().min(1).max(4096),
  expires_at: z.string().datetime({ offset: true }).optional(),
});

const auditQuery = z.object({
  namespace: z.string().max(253).optional(),
  verdict: z.enum(['allowed', 'denied', 'warned']).optional(),
  since: z.string().datetime({ offset: true }).optional(),
  until: z.string().datetime({ offset: true }).optional(),
  image: z.string().max(1024).optional(),
  before: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
});

function presentException(e: StoredException) {
  return {
    id: e.id,
    release: e.release,
    namespace: e.namespace ?? null,
    creator: e.creator,
    reason: e.reason,
    expires_at: isoTime(e.expiresAt),
    created_at: isoTime(e.createdAt),
  };
}

function presentAudit(r: StoredAuditRecord) {
  return {
    id: r.id,
    time: r.time.toISOString(),
    cluster: r.cluster,
    uid: r.uid,
    namespace: r.namespace,
    operation: r.operation,
    kind: r.kind,
    name: r.name,
    release: r.release ?? null,
    user: r.user,
    allowed: r.allowed,
    verdict: r.verdict,
    mode: r.mode,
    dry_run: r.dryRun,
    stale: r.stale,
    images: r.images,
    reasons: r.reasons,
    exception: r.exception ?? null,
  };
}

const optionalDate = (text: string | undefined) => (text === undefined ? undefined : new Date(text));

export function admissionRoutes(app: V1, deps: RouteDeps): void {
  app.get('/admission/exceptions', async (request) =>
    (await deps.store.admission.listExceptions(request.accountName)).map(presentException),
  );

  app.post('/admission/exceptions', { schema: { body: exceptionBody } }, async (request) => {
    const body = request.body;
    const expiresAt = optionalDate(body.expires_at);
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw new ApiError(400, 'expires_at is in the past: the exception would never apply');
    const created = await deps.store.admission.addException(request.accountName, {
      release: body.release,
      namespace: body.namespace,
      creator: request.principal?.user.username ?? 'unknown',
      reason: body.reason,
      expiresAt,
    });
    return presentException(created);
  });

  const idParams = z.object({ exceptionId: z.string().uuid() });

  app.get('/admission/exceptions/:exceptionId', { schema: { params: idParams } }, async (request) => {
    const found = await deps.store.admission.getException(request.accountName, request.params.exceptionId);
    if (!found) throw new ApiError(404, 'admission exception not found');
    return presentException(found);
  });

  app.delete(
    '/admission/exceptions/:exceptionId',
    { schema: { params: idParams } },
    async (request, reply) => {
      const deleted = await deps.store.admission.deleteException(
        request.accountName,
        request.params.exceptionId,
      );
      if (!deleted) throw new ApiError(404, 'admission exception not found');
      return reply.code(200).send({});
    },
  );

  app.get('/admission/audit', { schema: { querystring: auditQuery } }, async (request) => {
    const q = request.query;
    const limit = q.limit ?? DEFAULT_PAGE;
    const rows = await deps.store.admission.queryAudit(request.accountName, {
      ...(q.namespace !== undefined ? { namespace: q.namespace } : {}),
      ...(q.verdict !== undefined ? { verdict: q.verdict } : {}),
      ...(q.since !== undefined ? { since: new Date(q.since) } : {}),
      ...(q.until !== undefined ? { until: new Date(q.until) } : {}),
      ...(q.image !== undefined ? { image: q.image } : {}),
      ...(q.before !== undefined ? { before: q.before } : {}),
      limit,
    });
    const last = rows.at(-1);
    return { records: rows.map(presentAudit), next: rows.length === limit && last ? last.id : null };
  });

  app.get('/admission/config', async (request) => {
    const admission = deps.admission;
    // Another account must not learn the cluster's rules: to it there is no webhook.
    if (!admission || admission.account !== request.accountName)
      throw new ApiError(404, 'no admission webhook judges by this account');
    return { account: admission.account, config: admission.config };
  });
}
