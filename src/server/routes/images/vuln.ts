/**
 * `vuln` routes of an image. The rendered body of `vuln/{type}` is kept per (digest, findings
 * revision, view) (rendered-cache.ts): a request reads only the image's status and revision, and
 * renders the stored findings once per revision. On the embedded store even that read is kept
 * until the next write to the database (store/write-clock.ts): this process makes every write.
 */
import { z } from 'zod';
import type { Finding } from '../../../core/matching/types.js';
import { ApiError } from '../../errors.js';
import { imageDigest, queryBoolean } from '../../schemas.js';
import { SingleFlight } from '../../single-flight.js';
import type { RouteDeps, V1 } from '../index.js';
import { presentVulnerabilities, VULN_TYPES } from './present.js';
import { analysisPart } from './read.js';
import { RenderedCache } from './rendered-cache.js';

const digestParams = z.object({ imageDigest });

type FindingsState = Awaited<ReturnType<RouteDeps['store']['images']['findingsState']>>;

export function vulnRoutes(app: V1, deps: RouteDeps, cache = new RenderedCache()): void {
  const states = new SingleFlight<FindingsState>();
  const clock = deps.store.db.writes;
  const known = new Map<string, { state: FindingsState; mark: number }>();
  const findingsState = async (accountName: string, digest: string): Promise<FindingsState> => {
    const key = `${accountName}\0${digest}`;
    const kept = known.get(key);
    if (kept && clock?.unchangedSince(kept.mark)) return kept.state;
    const mark = clock?.mark();
    const state = await states.run(`${mark ?? ''}\0${key}`, () =>
      deps.store.images.findingsState(accountName, digest),
    );
    if (mark !== undefined) {
      if (known.size >= 10_000) known.clear();
      known.set(key, { state, mark });
    }
    return state;
  };

  app.get('/images/:imageDigest/vuln', { schema: { params: digestParams } }, async (request) => {
    await analysisPart(deps, request.accountName, request.params.imageDigest, 'metadata');
    return [...VULN_TYPES];
  });

  app.get(
    '/images/:imageDigest/vuln/:vtype',
    {
      schema: {
        params: digestParams.extend({ vtype: z.enum(VULN_TYPES) }),
        querystring: z.object({
          vendor_only: queryBoolean.optional(),
          force_refresh: queryBoolean.optional(),
        }),
      },
    },
    async (request, reply) => {
      const { imageDigest: digest, vtype } = request.params;
      const vendorOnly = request.query.vendor_only ?? true;
      const state = await findingsState(request.accountName, digest);
      if (!state) throw new ApiError(404, 'image data not found in DB');
      if (state.analysisStatus !== 'analyzed' || state.findingsRev === null)
        throw new ApiError(404, `image is not analyzed - analysis_status: ${state.analysisStatus}`);
      const key = RenderedCache.key(digest, state.findingsRev, vtype, vendorOnly);
      let body = cache.get(key);
      if (!body) {
        const findings = (await deps.store.analyses.part(digest, 'findings')) as Finding[] | undefined;
        if (findings === undefined) throw new ApiError(404, 'image analysis not found');
        body = Buffer.from(
          JSON.stringify({
            imageDigest: digest,
            vulnerability_type: vtype,
            vulnerabilities: presentVulnerabilities(findings, vtype, vendorOnly),
          }),
        );
        // Keyed by the revision read before the findings: a newer write only makes this entry unused.
        cache.set(key, body);
      }
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}
