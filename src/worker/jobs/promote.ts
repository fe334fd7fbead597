/**
 * promote: analyse the pushed digest, evaluate it with the rule's bundle, and on pass copy it
 * by digest to the destination (the copy writes the manifest last, so a failure never leaves
 * one pointing at missing blobs); on fail do what the rule says. Every decision ends in one
 * immutable audit record; registry failures retry with the queue's backoff and the last one
 * is recorded with its cause.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { isPortcullisError, type ErrorCode } from '../../core/errors.js';
import { destinationRepository, destinationTags, nextStep } from '../../core/promotion/index.js';
import { Notifier } from '../../notifications/notify.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { JobQueue } from '../../queue/queue.js';
import { PROMOTE_MAX_ATTEMPTS, type PromotePayload } from '../../queue/request-promotion.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import type {
  NewPromotionRecord,
  PromotionStep,
  StoredPromotionRule,
} from '../../store/repositories/promotions.js';
import type { AnalyzeImage, RegistryLogin } from '../analyze.js';
import type { RegistryWriter } from '../promote.js';
import { defineJob, type JobContext, type JobDefinition } from '../types.js';
import { notifyPromotionFailure } from './promote-notify.js';
import { ensureAnalysis, evaluateForRule, type RuleEvaluation } from './promote-evaluate.js';

export const PROMOTE = JOB_KINDS.promote;

export const promotePayload: z.ZodType<PromotePayload> = z.object({
  promotionId: z.string().min(1),
  accountName: z.string().min(1),
  ruleId: z.string().min(1),
  registry: z.string().min(1),
  repository: z.string().min(1),
  tag: z.string().min(1),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  trigger: z.object({ kind: z.enum(['push', 'watch', 'manual', 'recheck']), by: z.string() }),
});

/** Retrying cannot fix these: the image or the rule is wrong. Registry refusals may be fixed by an operator, so they retry. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_REFERENCE',
  'UNSUPPORTED_MEDIA_TYPE',
  'SCHEMA1_MANIFEST',
  'MANIFEST_INVALID',
  'DIGEST_MISMATCH',
  'SIZE_LIMIT',
  'CORRUPT_ARCHIVE',
  'CORRUPT_LAYER',
  'POLICY_INVALID',
]);

export interface PromoteDeps {
  store: ServiceStore;
  analyze: AnalyzeImage;
  registryWriter: RegistryWriter;
  hostId?: string;
  notifier?: Notifier;
}

const isPermanent = (err: unknown) => isPortcullisError(err) && PERMANENT.has(err.code);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function promoteJob(deps: PromoteDeps): JobDefinition {
  const { store } = deps;
  const hostId = deps.hostId ?? hostname();
  const queue = new JobQueue(store.db);
  const notifier = deps.notifier ?? new Notifier(store.db, queue);

  const logins = (accountName: string): Promise<RegistryLogin[]> => store.registries.logins(accountName);

  const baseRecord = (
    p: PromotePayload,
    rule: StoredPromotionRule,
    steps: PromotionStep[],
  ): Omit<NewPromotionRecord, 'outcome' | 'verdict' | 'reasons' | 'report' | 'error' | 'policy'> => ({
    accountName: p.accountName,
    jobId: p.promotionId,
    rule,
    source: { registry: p.registry, repository: p.repository, tag: p.tag, digest: p.digest },
    destination: {
      registry: rule.destination.registry,
      repository: destinationRepository(rule, p.repository),
      tags: [],
      digest: undefined,
    },
    trigger: p.trigger,
    steps,
  });

  async function run(p: PromotePayload, ctx: JobContext): Promise<void> {
    const rule = await store.promotions.getRule(p.accountName, p.ruleId);
    if (!rule) {
      ctx.log.info({ ruleId: p.ruleId }, 'promotion rule deleted before its job ran');
      return;
    }
    // A retry says why the attempt before it failed: the record of a promotion that went through
    // on its third try still shows that the destination was down or refused the credentials.
    const previousError = ctx.attempt > 1 ? (await queue.get(ctx.jobId))?.lastError : undefined;
    const steps: PromotionStep[] = [
      {
        step: 'started',
        at: new Date().toISOString(),
        detail: { attempt: ctx.attempt, ...(previousError ? { previousError } : {}) },
      },
    ];
    const step = (name: string, detail?: Record<string, unknown>) =>
      steps.push({ step: name, at: new Date().toISOString(), ...(detail ? { detail } : {}) });
    const base = baseRecord(p, rule, steps);
    let evaluation: RuleEvaluation | undefined;
    try {
      const credentials = await logins(p.accountName);
      const analysisDigest = await ensureAnalysis(store, deps.analyze, p, credentials, ctx.signal);
      step('analysed', { analysisDigest });
      evaluation = await evaluateForRule(
        store,
        p.accountName,
        rule,
        analysisDigest,
        `${p.registry}/${p.repository}:${p.tag}`,
      );
      step('evaluated', { verdict: evaluation.verdict });
      const decided = {
        verdict: evaluation.verdict,
        reasons: evaluation.reasons,
        report: evaluation.report,
        policy: evaluation.policy,
      };
      const next = nextStep(rule, evaluation.verdict);
      if (next.action === 'copy') {
        const tags = destinationTags(rule, p.tag, p.digest);
        const copied = await deps.registryWriter.copy({
          source: { registry: p.registry, repository: p.repository },
          destination: base.destination,
          digest: p.digest,
          tags,
          referrers: rule.copyReferrers,
          credentials,
          signal: ctx.signal,
        });
        step('copied', {
          blobs: copied.blobs,
          manifests: copied.manifests.length,
          referrers: copied.referrers,
        });
        await store.promotions.addRecord({
          ...base,
          ...decided,
          destination: { ...base.destination, tags: copied.tags, digest: copied.digest },
          outcome: 'promoted',
          error: undefined,
        });
        return;
      }
      if (next.action === 'quarantine') {
        await deps.registryWriter.tag({
          target: { registry: p.registry, repository: p.repository },
          digest: p.digest,
          tag: next.tag,
          credentials,
          signal: ctx.signal,
        });
        step('quarantined', { tag: next.tag });
      }
      if (next.action !== 'leave') {
        await notifyPromotionFailure(
          { store, notifier, hostId },
          {
            accountName: p.accountName,
            tag: `${p.registry}/${p.repository}:${p.tag}`,
            digest: p.digest,
            ruleId: p.ruleId,
            policyId: evaluation.policy.id,
            reasons: evaluation.reasons,
            type: 'user.image.promotion.rejected',
            message: `Promotion of ${p.repository}:${p.tag} rejected by policy`,
          },
        );
        step('notified');
      }
      await store.promotions.addRecord({
        ...base,
        ...decided,
        outcome: next.action === 'quarantine' ? 'quarantined' : 'rejected',
        error: undefined,
      });
    } catch (err) {
      // The last attempt records what was known (verdict, steps); earlier ones retry.
      if (ctx.attempt >= ctx.maxAttempts || isPermanent(err)) {
        step('failed', { error: message(err) });
        await store.promotions.addRecord({
          ...base,
          verdict: evaluation?.verdict,
          reasons: evaluation?.reasons ?? [],
          report: evaluation?.report,
          policy: evaluation?.policy,
          outcome: 'failed',
          error: message(err),
        });
      }
      throw err;
    }
  }

  return defineJob<PromotePayload>({
    kind: PROMOTE,
    payload: promotePayload,
    maxAttempts: PROMOTE_MAX_ATTEMPTS,
    isPermanent,
    run,
    async onFinalFailure(p, error, log) {
      // Reached when the lease was lost on the last attempt: the record says so (once).
      const rule = await store.promotions.getRule(p.accountName, p.ruleId);
      if (!rule) return;
      const steps = [{ step: 'failed', at: new Date().toISOString(), detail: { error } }];
      await store.promotions.addRecord({
        ...baseRecord(p, rule, steps),
        verdict: undefined,
        reasons: [],
        report: undefined,
        policy: undefined,
        outcome: 'failed',
        error,
      });
      log.info({ promotionId: p.promotionId, error }, 'promotion failed for good');
    },
  });
}
