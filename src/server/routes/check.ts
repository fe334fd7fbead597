/**
 * `GET /images/{digest}/check`: the image evaluated against a bundle (the active one unless
 * `policyId` names another), from the stored analysis. Each call evaluates afresh, since
 * findings change with the feeds, and stores the result when it differs from the newest one.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { parseReference } from '../../core/image/reference/parse.js';
import type { FeedStatus } from '../../core/policy/index.js';
import type { EvaluationRecord } from '../../store/repositories/evaluations.js';
import { computeEvaluation } from '../../store/evaluate-analysis.js';
import { ApiError, notFound } from '../errors.js';
import { imageDigest, isoTime, queryBoolean } from '../schemas.js';
import { fullTag } from './images/present.js';
import { analysisPart } from './images/read.js';
import type { RouteDeps, V1 } from './index.js';

const checkQuery = z.object({
  policyId: z.string().min(1).max(256).optional(),
  tag: z.string().min(1).max(1024).optional(),
  detail: queryBoolean.optional(),
  history: queryBoolean.optional(),
});

const presentEvaluation = (e: EvaluationRecord, detail: boolean) => ({
  detail: detail ? e.result : {},
  last_evaluation: isoTime(e.createdAt),
  policyId: e.policyId,
  status: e.status,
});

export function checkRoutes(app: V1, deps: RouteDeps): void {
  const feeds = async (): Promise<FeedStatus[]> =>
    (await deps.feeds.status()).map((f) => ({
      name: f.source,
      namespaces: [],
      ...(f.lastSync ? { lastSync: f.lastSync } : {}),
      records: f.records,
    }));

  app.get(
    '/images/:imageDigest/check',
    { schema: { params: z.object({ imageDigest }), querystring: checkQuery } },
    async (request) => {
      const { accountName } = request;
      const digest = request.params.imageDigest;
      const q = request.query;
      // 404 with Anchore's message while the image is not analysed.
      const { image } = await analysisPart(deps, accountName, digest, 'metadata');
      const tags = image.tags.map(fullTag);
      let tag = tags[0];
      if (q.tag !== undefined) {
        const ref = parseReference(q.tag);
        tag = `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
        if (!tags.includes(tag)) throw new ApiError(404, `tag ${tag} is not a tag of image ${digest}`);
      }
      if (tag === undefined) throw new ApiError(400, 'the image has no tag; give one with tag=');
      const policy = q.policyId
        ? await deps.store.policies.get(accountName, q.policyId)
        : await deps.store.policies.active(accountName);
      if (!policy)
        throw q.policyId ? notFound(`policy bundle ${q.policyId}`) : notFound('active policy bundle');

      const stored = await deps.store.evaluations.list(accountName, digest, tag, policy.policyId, false);
      const fresh = await computeEvaluation(deps.store, {
        accountName,
        imageDigest: digest,
        tag,
        policy,
        feeds: await feeds(),
      });
      if (!fresh) throw new ApiError(404, 'image analysis not found');
      const newest = stored[0];
      const unchanged =
        newest !== undefined &&
        newest.status === fresh.status &&
        isDeepStrictEqual(rowsOf(newest.result), rowsOf(fresh.result)) &&
        newest.createdAt >= policy.lastUpdated;
      if (!unchanged) await deps.store.evaluations.add(fresh);
      const evaluations = await deps.store.evaluations.list(
        accountName,
        digest,
        tag,
        policy.policyId,
        q.history ?? false,
      );
      return [{ [digest]: { [tag]: evaluations.map((e) => presentEvaluation(e, q.detail ?? false)) } }];
    },
  );
}

/** The positional rows of a stored evaluation, what decides whether anything changed. */
function rowsOf(result: unknown): unknown {
  const inner = (result as { result?: { result?: Record<string, unknown> } }).result?.result ?? {};
  return Object.entries(inner)
    .filter(([key]) => /^[0-9a-f]{64}$/.test(key))
    .map(([, v]) => (v as { result?: { rows?: unknown } }).result?.rows);
}
