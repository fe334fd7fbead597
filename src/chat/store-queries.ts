/**
 * The chat port over the service: the cross-image index of the monitoring wing
 * (`imagesByVulnerability`, `imagesByPackage`), the stored analyses judged by the account's
 * active bundle, and analysis requests through the same path as `POST /v1/images`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseReference, type ImageReference } from '../core/image/reference/parse.js';
import { SEVERITY_ORDER, type NormalizedSeverity } from '../core/matching/types.js';
import type { FeedStatus } from '../core/policy/index.js';
import { summarizeFindings } from '../core/report/html/summary.js';
import type { JobQueue } from '../queue/queue.js';
import { addImageAndQueue } from '../queue/request-analysis.js';
import { decideStoredAnalysis } from '../store/evaluate-analysis.js';
import {
  imagesByPackage,
  imagesByVulnerability,
  type QueriedImage,
} from '../store/repositories/image-queries.js';
import type { ImageRecord } from '../store/repositories/images.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { ChatAnalysisStatus, ChatQueries, ImageVerdict } from './ports.js';

export interface StoreQueriesDeps {
  store: ServiceStore;
  queue: JobQueue;
  /** The manifest digest a tag names now, read with the account's registry credentials. */
  resolveImage(reference: ImageReference, accountName: string): Promise<{ digest: string }>;
  /** Feed freshness for the policy's data gates. */
  feeds?(): Promise<FeedStatus[]>;
  /** How often `waitForAnalysis` looks at the image (default 2 s). */
  pollMs?: number;
}

/** Rows read per question: enough to rank the worst images first. */
const QUERY_LIMIT = 500;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const tagText = (t: { registry: string; repo: string; tag: string }) => `${t.registry}/${t.repo}:${t.tag}`;
const referenceOf = (image: Pick<QueriedImage, 'tags' | 'imageDigest'>) =>
  image.tags[0] ? tagText(image.tags[0]) : image.imageDigest;

const worstOf = (severities: readonly NormalizedSeverity[]): NormalizedSeverity =>
  severities.reduce<NormalizedSeverity>(
    (w, s) => (SEVERITY_ORDER.indexOf(s) > SEVERITY_ORDER.indexOf(w) ? s : w),
    'Unknown',
  );

export function storeChatQueries(deps: StoreQueriesDeps): ChatQueries {
  const { store } = deps;

  const findImage = async (
    account: string,
    reference: string,
  ): Promise<{ image: ImageRecord; tag?: string } | undefined> => {
    if (DIGEST.test(reference)) {
      const image = await store.images.get(account, reference);
      return image && { image };
    }
    const ref = parseReference(reference);
    if (ref.digest) {
      const image = await store.images.get(account, ref.digest);
      return image && { image };
    }
    const tag = { registry: ref.registry, repo: ref.repository, tag: ref.tag ?? 'latest' };
    const [image] = await store.images.list(account, { tag });
    return image && { image, tag: tagText(tag) };
  };

  return {
    async imagesByVulnerability(account, id) {
      const page = await imagesByVulnerability(
        store.db,
        account,
        { vulnerabilityId: id },
        { page: 1, limit: QUERY_LIMIT },
      );
      return {
        total: page.total,
        images: page.items.map((hit) => ({
          reference: referenceOf(hit.image),
          digest: hit.image.imageDigest,
          worst: worstOf(hit.packages.map((p) => p.severity)),
          packages: hit.packages.map((p) => ({
            name: p.name,
            version: p.version,
            severity: p.severity,
            fix: p.fix,
          })),
        })),
      };
    },

    async imagesByPackage(account, name, version) {
      const page = await imagesByPackage(
        store.db,
        account,
        { name, ...(version ? { version } : {}) },
        { page: 1, limit: QUERY_LIMIT },
      );
      return {
        total: page.total,
        images: page.items.map((hit) => ({
          reference: referenceOf(hit.image),
          digest: hit.image.imageDigest,
          packages: hit.packages.map((p) => ({ name: p.name, version: p.version, type: p.type })),
        })),
      };
    },

    async imageVerdict(account, reference) {
      const found = await findImage(account, reference);
      if (!found) return undefined;
      const { image } = found;
      const tag = found.tag ?? (image.tags[0] ? tagText(image.tags[0]) : undefined);
      const base: ImageVerdict = {
        reference: tag ?? image.imageDigest,
        digest: image.imageDigest,
        status: image.analysisStatus,
        ...(image.analysisError ? { error: image.analysisError } : {}),
      };
      if (image.analysisStatus !== 'analyzed') return base;
      const findings = (await store.analyses.part(image.imageDigest, 'findings')) ?? [];
      const summary = summarizeFindings(findings as Parameters<typeof summarizeFindings>[0]);
      const counts = { bySeverity: summary.bySeverity, total: summary.total, fixable: summary.fixable };
      const policy = await store.policies.active(account);
      if (!policy || !tag) return { ...base, counts };
      const decided = await decideStoredAnalysis(store, {
        accountName: account,
        imageDigest: image.imageDigest,
        tag,
        policy,
        feeds: (await deps.feeds?.()) ?? [],
      });
      if (!decided) return { ...base, counts };
      const { decision } = decided;
      return {
        ...base,
        counts,
        verdict: {
          status: decision.status,
          finalAction: decision.finalAction,
          bundle: policy.name ?? policy.policyId,
        },
      };
    },

    async requestScan(account, reference) {
      const ref = parseReference(reference);
      const digest = ref.digest ?? (await deps.resolveImage(ref, account)).digest;
      const tag = { registry: ref.registry, repo: ref.repository, tag: ref.tag ?? 'latest' };
      const image = await addImageAndQueue(store, deps.queue, {
        accountName: account,
        imageDigest: digest,
        tag,
      });
      return { reference: tagText(tag), digest, status: image.analysisStatus };
    },

    async waitForAnalysis(account, digest, signal): Promise<ChatAnalysisStatus> {
      for (;;) {
        signal.throwIfAborted();
        const status = (await store.images.get(account, digest))?.analysisStatus ?? 'analysis_failed';
        if (status === 'analyzed' || status === 'analysis_failed') return status;
        await sleep(deps.pollMs ?? 2_000, undefined, { signal });
      }
    },
  };
}
