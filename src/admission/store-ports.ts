/**
 * The admission ports over the service: verdicts and exceptions from the store, analysis
 * requests through the same "add image + enqueue" path as `POST /v1/images`, audit rows into
 * the store, and tags resolved against the registry with the account's credentials (the
 * decider caches resolved digests and verdicts in front of these).
 */
import { PortcullisError } from '../core/errors.js';
import { parseReference } from '../core/image/reference/parse.js';
import type { PolicyDecision } from '../core/policy/index.js';
import type { AnalysisRecord } from '../store/repositories/analyses.js';
import type { PolicyRecord } from '../store/repositories/policies.js';
import type { JobQueue } from '../queue/queue.js';
import { addImageAndQueue } from '../queue/request-analysis.js';
import type { ResolveImage } from '../server/routes/index.js';
import type { AnalysisStatus as ImageAnalysisStatus } from '../store/repositories/images.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { AdmissionPorts, AnalysisStatus, PortContext, StoredVerdict, VerdictSource } from './ports.js';
import { reasonsOf } from './policy-reasons.js';

export interface StorePortsDeps {
  store: ServiceStore;
  queue: JobQueue;
  resolveImage: ResolveImage;
  /** The account the cluster is judged by, when the admission config names none. */
  account: string;
  /** Evaluates a stored analysis against a bundle (no analysis, no registry access). */
  evaluateStored(
    analysis: AnalysisRecord,
    policy: PolicyRecord,
    tag: string | undefined,
    now: Date,
  ): Promise<PolicyDecision>;
  now?: () => Date;
}

const STATUS: Record<ImageAnalysisStatus, AnalysisStatus> = {
  not_analyzed: 'not_analyzed',
  analysis_queued: 'analyzing',
  analyzing: 'analyzing',
  analyzed: 'analyzed',
  analysis_failed: 'failed',
};

function accountOf(ctx: PortContext, fallback: string): string {
  return ctx.account ?? fallback;
}

export function storeVerdictSource(deps: StorePortsDeps): VerdictSource {
  const now = deps.now ?? (() => new Date());
  return {
    async lookup(digest, bundleId, ctx): Promise<StoredVerdict | undefined> {
      const account = accountOf(ctx, deps.account);
      const image = await deps.store.images.get(account, digest);
      if (!image) return undefined;
      const analysisStatus = STATUS[image.analysisStatus];
      if (analysisStatus !== 'analyzed') return { digest, analysisStatus };
      const policy = bundleId
        ? await deps.store.policies.get(account, bundleId)
        : await deps.store.policies.active(account);
      if (!policy)
        throw new PortcullisError(
          'NOT_FOUND',
          bundleId
            ? `policy bundle "${bundleId}" does not exist in account "${account}"`
            : `account "${account}" has no active policy bundle`,
        );
      const stored = await deps.store.admission.latestEvaluation(account, digest, policy.policyId);
      // An evaluation older than the bundle's last change judged another bundle: evaluate again.
      if (stored && stored.createdAt >= policy.lastUpdated) {
        return {
          digest,
          analysisStatus,
          policy: {
            bundleId: policy.policyId,
            status: stored.status,
            reasons: reasonsOf(stored.result as Parameters<typeof reasonsOf>[0]),
            evaluatedAt: stored.createdAt,
          },
        };
      }
      const analysis = await deps.store.analyses.get(digest);
      if (!analysis) return { digest, analysisStatus: 'not_analyzed' };
      const first = image.tags[0];
      const tag = first ? `${first.registry}/${first.repo}:${first.tag}` : undefined;
      const evaluatedAt = now();
      const decision = await deps.evaluateStored(analysis, policy, tag, evaluatedAt);
      await deps.store.evaluations.add({
        accountName: account,
        imageDigest: digest,
        tag: tag ?? '',
        policyId: policy.policyId,
        status: decision.status,
        finalAction: decision.finalAction,
        result: decision,
      });
      return {
        digest,
        analysisStatus,
        policy: {
          bundleId: policy.policyId,
          status: decision.status,
          reasons: reasonsOf(decision),
          evaluatedAt,
        },
      };
    },
  };
}

export function createStorePorts(deps: StorePortsDeps): AdmissionPorts {
  return {
    digests: {
      async resolve(ref, ctx) {
        if (ref.digest !== undefined) return ref.digest;
        return (await deps.resolveImage(ref, accountOf(ctx, deps.account))).digest;
      },
    },
    verdicts: storeVerdictSource(deps),
    analysis: {
      async request(req, ctx) {
        const account = accountOf(ctx, deps.account);
        const ref = parseReference(req.reference);
        const digest = req.digest ?? (await deps.resolveImage(ref, account)).digest;
        const tag = { registry: ref.registry, repo: ref.repository, tag: ref.tag ?? 'latest' };
        await addImageAndQueue(deps.store, deps.queue, {
          accountName: account,
          imageDigest: digest,
          parentDigest: null,
          tag,
          annotations: { 'portcullis.dev/requested-by': req.requestedBy },
          dockerfile: null,
          force: false,
        });
      },
    },
    exceptions: {
      forRelease: (release, namespace, ctx) =>
        deps.store.admission.exceptionsForRelease(accountOf(ctx, deps.account), release, namespace),
    },
    audit: {
      record: (row) => deps.store.admission.recordAudit(deps.account, row),
      recordMany: (rows) => deps.store.admission.recordAudits(deps.account, rows),
    },
  };
}
