/**
 * analyze-image: pulls the image with the adding account's registry credentials, analyses it
 * (off the event loop, see src/main), and stores the analysis and the status of every
 * account's image of that digest in one transaction. A digest already analysed is not pulled
 * again. One job per digest at a time (singleton key = digest).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isPortcullisError, PortcullisError, type ErrorCode } from '../../core/errors.js';
import { Notifier } from '../../notifications/notify.js';
import { notifyTagMoves } from '../../notifications/tag-moved.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import type { Sql } from '../../store/sql.js';
import type { AnalyzeImage, RegistryLogin } from '../analyze.js';
import { harborLogins } from '../harbor-login.js';
import { evaluateForAccounts } from '../../store/evaluate-analysis.js';
import { defineJob, type JobDefinition } from '../types.js';

export const ANALYZE_IMAGE = JOB_KINDS.analyzeImage;

export const analyzeImagePayload = z.object({
  imageDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** registry/repo@digest to pull. */
  pullString: z.string().min(1),
  /** Whose registry credentials to pull with. */
  accountName: z.string().min(1),
  /**
   * A Harbor scan request: pull with the credential Harbor sent (held by the scan until this
   * job ends) instead of the account's, and end the scan with the job.
   */
  harborScanId: z.string().uuid().optional(),
  /**
   * A local image source (`oci-dir:`, `oci-archive:`, `docker-archive:`) instead of the registry:
   * run only when the operator named it (`serve --load-image`, AnalyzeImageDeps.localSources).
   */
  source: z.string().min(1).optional(),
  /** Analyse again (pull again) even when an analysis of the digest is stored: `force=true`. */
  force: z.boolean().optional(),
});
export type AnalyzeImagePayload = z.infer<typeof analyzeImagePayload>;

const PENDING = ['not_analyzed', 'analysis_queued', 'analyzing'] as const;

/** Retrying cannot fix these: the reference, the image or the credentials are wrong. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_REFERENCE',
  'UNSUPPORTED_SOURCE',
  'UNSUPPORTED_MEDIA_TYPE',
  'SCHEMA1_MANIFEST',
  'MANIFEST_INVALID',
  'PLATFORM_NOT_FOUND',
  'DIGEST_MISMATCH',
  'SIZE_LIMIT',
  'CORRUPT_ARCHIVE',
  'CORRUPT_LAYER',
  'REGISTRY_UNAUTHORIZED',
  'REGISTRY_DENIED',
  'REGISTRY_NOT_FOUND',
]);

export interface AnalyzeImageDeps {
  store: ServiceStore;
  analyze: AnalyzeImage;
  /** Reported as the event source. */
  hostId?: string;
  /** Queues analysis_update notifications (default: one over the store's database). */
  notifier?: Notifier;
  /** Local sources the operator allowed (`serve --load-image`); every other one is refused. */
  localSources?: ReadonlySet<string>;
  /**
   * Told how long each analysis attempt took (pull to stored, seconds) and how it ended; not
   * for a digest shared from an earlier analysis, nor for an attempt cut short by the worker.
   */
  observeAnalysis?: (outcome: 'succeeded' | 'failed', seconds: number) => void;
}

export function analyzeImageJob(deps: AnalyzeImageDeps): JobDefinition {
  const { store } = deps;
  const hostId = deps.hostId ?? hostname();
  const notifier = deps.notifier ?? new Notifier(store.db, new JobQueue(store.db));

  const record = async (db: Sql, accounts: readonly string[], digest: string, failed: string | null) => {
    await notifier.notifyAnalysisFinished(
      accounts,
      digest,
      failed === null ? 'analyzed' : 'analysis_failed',
      db,
    );
    for (const accountName of accounts) {
      await notifier.recordEvent(
        {
          accountName,
          type: failed === null ? 'user.image.analysis.completed' : 'user.image.analysis.failed',
          level: failed === null ? 'info' : 'error',
          message: failed === null ? 'Image analysis completed' : `Image analysis failed: ${failed}`,
          details: failed === null ? {} : { error: failed },
          resourceType: 'image_digest',
          resourceId: digest,
          sourceService: 'analyzer',
          sourceHost: hostId,
        },
        db,
      );
    }
  };

  /**
   * The first evaluation of each tag, then, for a tag that moved here from another digest, the
   * `vuln_update` / `policy_eval` against that digest (notifications/tag-moved.ts). A failure
   * here (a stale bundle) leaves the analysis intact.
   */
  const evaluateAfterAnalysis = async (accounts: readonly string[], imageDigest: string, log: Logger) => {
    try {
      await evaluateForAccounts(store, accounts, imageDigest);
    } catch (err) {
      log.warn({ err, imageDigest }, 'policy evaluation after analysis failed');
    }
    for (const accountName of accounts) {
      try {
        await notifyTagMoves({ store, notifier, hostId }, accountName, imageDigest);
      } catch (err) {
        log.warn({ err, imageDigest, account: accountName }, 'tag move notifications failed');
      }
    }
  };

  /** Harbor's credential for a Harbor scan (undefined: the scan is gone), else the account's logins. */
  const loginsFor = async (payload: AnalyzeImagePayload): Promise<RegistryLogin[] | undefined> => {
    if (payload.harborScanId) {
      const started = await store.harborScans.start(payload.harborScanId);
      return started && harborLogins(started.scan.registryUrl, started.authorization, started.scan.insecure);
    }
    return store.registries.logins(payload.accountName);
  };

  /** Pulls and analyses the image, then stores the analysis and every account's status at once. */
  const analyseAndStore = async (
    payload: AnalyzeImagePayload,
    logins: RegistryLogin[],
    signal: AbortSignal,
  ): Promise<{ accounts: string[]; packages: number; findings: number }> => {
    const { imageDigest, harborScanId } = payload;
    const result = await deps.analyze({
      source: payload.source ?? `registry:${payload.pullString}`,
      credentials: logins,
      signal,
    });
    if (result.imageDigest !== imageDigest) {
      throw new Error(
        `${payload.source ?? 'the registry'} served ${result.imageDigest} for ${payload.pullString}`,
      );
    }
    signal.throwIfAborted();
    const accounts = await store.db.transaction(async (tx) => {
      await store.analyses.save(
        {
          imageDigest,
          imageId: result.imageId,
          analyzerVersion: result.analyzerVersion,
          metadata: result.metadata,
          sbom: result.sbom,
          findings: result.findings,
        },
        tx,
        { replace: payload.force ?? false },
      );
      const analysed = await store.images.transition(imageDigest, PENDING, 'analyzed', null, tx);
      await record(tx, analysed, imageDigest, null);
      if (harborScanId) await store.harborScans.finish(harborScanId, null, tx);
      return analysed;
    });
    return { accounts, packages: result.sbom.packages.length, findings: result.findings.length };
  };

  return defineJob<AnalyzeImagePayload>({
    kind: ANALYZE_IMAGE,
    payload: analyzeImagePayload,
    maxAttempts: 3,
    isPermanent: (err) => isPortcullisError(err) && PERMANENT.has(err.code),
    async run(payload, ctx) {
      const { imageDigest, harborScanId } = payload;
      if (payload.source !== undefined && !deps.localSources?.has(payload.source)) {
        throw new PortcullisError(
          'UNSUPPORTED_SOURCE',
          'a local image source is analysed only when the operator names it (serve --load-image)',
        );
      }
      if (payload.force || !(await store.analyses.exists(imageDigest))) {
        const logins = await loginsFor(payload);
        // The Harbor scan was forgotten or already ended: nothing to pull for.
        if (!logins) return;
        await store.images.transition(imageDigest, ['not_analyzed', 'analysis_queued'], 'analyzing');
        const started = performance.now();
        const observe = (outcome: 'succeeded' | 'failed') => {
          if (outcome === 'succeeded' || !ctx.signal.aborted)
            deps.observeAnalysis?.(outcome, (performance.now() - started) / 1000);
        };
        const analysed = await analyseAndStore(payload, logins, ctx.signal).catch((err: unknown) => {
          observe('failed');
          throw err;
        });
        observe('succeeded');
        await evaluateAfterAnalysis(analysed.accounts, imageDigest, ctx.log);
        ctx.log.info(
          { imageDigest, packages: analysed.packages, findings: analysed.findings },
          'image analysed',
        );
        return;
      }
      // Analysed meanwhile (another account, an earlier attempt): share it.
      const shared = await store.db.transaction(async (tx) => {
        const accounts = await store.images.transition(imageDigest, PENDING, 'analyzed', null, tx);
        await record(tx, accounts, imageDigest, null);
        if (harborScanId) await store.harborScans.finish(harborScanId, null, tx);
        return accounts;
      });
      await evaluateAfterAnalysis(shared, imageDigest, ctx.log);
    },
    async onFinalFailure(payload, error, log: Logger) {
      await store.db.transaction(async (tx) => {
        const accounts = await store.images.transition(
          payload.imageDigest,
          PENDING,
          'analysis_failed',
          error,
          tx,
        );
        await record(tx, accounts, payload.imageDigest, error);
        if (payload.harborScanId) await store.harborScans.finish(payload.harborScanId, error, tx);
      });
      log.info({ imageDigest: payload.imageDigest, error }, 'image analysis failed for good');
    },
  });
}
