/**
 * Scan-gated promotion through the API: rules (CRUD), the audit records (filters by
 * repository, verdict, outcome and time), and a manual promotion request. All per account.
 */
import { z } from 'zod';
import { matchesRule } from '../../../core/promotion/index.js';
import { parseReference } from '../../../core/image/reference/parse.js';
import { requestPromotion } from '../../../queue/request-promotion.js';
import { ApiError } from '../../errors.js';
import type { RouteDeps, V1 } from '../index.js';
import { presentRecord, presentRule, promoteBody, recordQuery, ruleBody, type RuleBody } from './schema.js';

const ruleParams = z.object({ ruleId: z.string().uuid() });
const recordParams = z.object({ promotionId: z.string().uuid() });

export function promotionRoutes(app: V1, deps: RouteDeps): void {
  const { store } = deps;

  const checkPolicy = async (accountName: string, body: RuleBody) => {
    if (body.policyId && !(await store.policies.get(accountName, body.policyId)))
      throw new ApiError(400, `policy bundle ${body.policyId} does not exist`);
  };

  app.get('/promotions/rules', async (request) =>
    (await store.promotions.listRules(request.accountName)).map(presentRule),
  );

  app.post('/promotions/rules', { schema: { body: ruleBody } }, async (request) => {
    await checkPolicy(request.accountName, request.body);
    return presentRule(await store.promotions.addRule(request.accountName, request.body));
  });

  app.get('/promotions/rules/:ruleId', { schema: { params: ruleParams } }, async (request) => {
    const rule = await store.promotions.getRule(request.accountName, request.params.ruleId);
    if (!rule) throw new ApiError(404, 'promotion rule not found');
    return presentRule(rule);
  });

  app.put(
    '/promotions/rules/:ruleId',
    { schema: { params: ruleParams, body: ruleBody } },
    async (request) => {
      await checkPolicy(request.accountName, request.body);
      const rule = await store.promotions.updateRule(
        request.accountName,
        request.params.ruleId,
        request.body,
      );
      if (!rule) throw new ApiError(404, 'promotion rule not found');
      return presentRule(rule);
    },
  );

  app.delete('/promotions/rules/:ruleId', { schema: { params: ruleParams } }, async (request) => {
    if (!(await store.promotions.deleteRule(request.accountName, request.params.ruleId)))
      throw new ApiError(404, 'promotion rule not found');
    return {};
  });

  app.get('/promotions', { schema: { querystring: recordQuery } }, async (request) => {
    const q = request.query;
    const limit = q.limit ?? 100;
    const records = await store.promotions.listRecords(request.accountName, {
      ...(q.repository !== undefined ? { repository: q.repository } : {}),
      ...(q.verdict !== undefined ? { verdict: q.verdict } : {}),
      ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
      ...(q.since !== undefined ? { since: new Date(q.since) } : {}),
      ...(q.until !== undefined ? { until: new Date(q.until) } : {}),
      ...(q.after !== undefined ? { after: q.after } : {}),
      limit,
    });
    const last = records.at(-1);
    return {
      promotions: records.map((r) => presentRecord(r, false)),
      next: records.length === limit && last ? last.id : null,
    };
  });

  app.get('/promotions/:promotionId', { schema: { params: recordParams } }, async (request) => {
    const record = await store.promotions.getRecord(request.accountName, request.params.promotionId);
    if (!record) throw new ApiError(404, 'promotion not found');
    return presentRecord(record, true);
  });

  app.post('/promotions', { schema: { body: promoteBody } }, async (request, reply) => {
    const body = request.body;
    const rule = await store.promotions.getRule(request.accountName, body.rule_id);
    if (!rule) throw new ApiError(404, 'promotion rule not found');
    const repository = body.repository ?? rule.source.repository;
    if (/[*?]/.test(repository))
      throw new ApiError(400, 'the rule matches several repositories: name the repository to promote');
    const image = { registry: rule.source.registry, repository, tag: body.tag, digest: body.digest ?? '' };
    if (!matchesRule({ ...rule, enabled: true }, image))
      throw new ApiError(400, `${repository}:${body.tag} is not under the rule's source pattern`);
    if (!body.digest) {
      const resolved = await deps.resolveImage(
        parseReference(`${rule.source.registry}/${repository}:${body.tag}`),
        request.accountName,
      );
      image.digest = resolved.parentDigest ?? resolved.digest;
    }
    const queued = await requestPromotion({ store, queue: deps.queue }, rule, image, {
      kind: 'manual',
      by: request.principal?.user.username ?? 'unknown',
    });
    return reply.code(202).send({
      promotion_id: queued.created ? queued.promotionId : null,
      job_id: queued.jobId,
      queued: queued.created,
      digest: image.digest,
    });
  });
}
