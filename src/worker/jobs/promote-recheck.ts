/**
 * Re-checks promoted images after their findings changed (new vulnerability data): each
 * promotion of the digest is evaluated again with its rule's bundle; an image that passed and
 * now fails is notified, or also tagged quarantined at the destination when the rule says so.
 * A change back to pass is recorded too. The rematch path calls this once per changed digest.
 */
import { hostname } from 'node:os';
import { recheckStep } from '../../core/promotion/index.js';
import { Notifier } from '../../notifications/notify.js';
import { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import type { PromotionRecord, PromotionStep } from '../../store/repositories/promotions.js';
import type { RegistryLogin } from '../analyze.js';
import type { RegistryWriter } from '../promote.js';
import { evaluateForRule } from './promote-evaluate.js';
import { notifyPromotionFailure } from './promote-notify.js';

export interface RecheckDeps {
  store: ServiceStore;
  registryWriter: RegistryWriter;
  notifier?: Notifier;
  hostId?: string;
}

export interface RecheckResult {
  promotionId: string;
  accountName: string;
  verdict: 'pass' | 'fail';
  action: 'none' | 'notify' | 'quarantine' | 'recorded-pass';
}

/** The digest the promotion's analysis was stored under (an index's platform image). */
function analysisDigestOf(record: PromotionRecord): string {
  const analysed = record.steps.find((s) => s.step === 'analysed')?.detail?.analysisDigest;
  return typeof analysed === 'string' ? analysed : record.source.digest;
}

export async function onPromotedImageVerdictChanged(
  deps: RecheckDeps,
  change: { imageDigest: string; accountName?: string; signal?: AbortSignal },
): Promise<RecheckResult[]> {
  const { store } = deps;
  const hostId = deps.hostId ?? hostname();
  const notifier = deps.notifier ?? new Notifier(store.db, new JobQueue(store.db));
  const signal = change.signal ?? new AbortController().signal;
  const results: RecheckResult[] = [];
  const seen = new Set<string>();
  for (const promoted of await store.promotions.promotedByDigest(change.imageDigest, change.accountName)) {
    const key = `${promoted.accountName}\0${promoted.rule.id}\0${promoted.destination.repository}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // The rule as it is now decides what to do; a deleted rule falls back to the recorded one.
    const rule = (await store.promotions.getRule(promoted.accountName, promoted.rule.id)) ?? promoted.rule;
    const previous =
      (await store.promotions.lastVerdict(promoted.accountName, rule.id, promoted.source.digest)) ?? 'pass';
    const tag = `${promoted.source.registry}/${promoted.source.repository}:${promoted.source.tag ?? ''}`;
    const evaluation = await evaluateForRule(
      store,
      promoted.accountName,
      rule,
      analysisDigestOf(promoted),
      tag,
    );
    const step = recheckStep(rule, previous, evaluation.verdict);
    const result: RecheckResult = {
      promotionId: promoted.id,
      accountName: promoted.accountName,
      verdict: evaluation.verdict,
      action: step.action,
    };
    const steps: PromotionStep[] = [
      { step: 'evaluated', at: new Date().toISOString(), detail: { previous } },
    ];
    if (step.action === 'none') {
      if (previous === evaluation.verdict) continue;
      result.action = 'recorded-pass';
    }
    if (step.action === 'quarantine') {
      const credentials: RegistryLogin[] = await store.registries.logins(promoted.accountName);
      await deps.registryWriter.tag({
        target: { registry: promoted.destination.registry, repository: promoted.destination.repository },
        digest: promoted.source.digest,
        tag: step.tag,
        credentials,
        signal,
      });
      steps.push({ step: 'quarantined', at: new Date().toISOString(), detail: { tag: step.tag } });
    }
    if (step.action !== 'none') {
      const destination = `${promoted.destination.registry}/${promoted.destination.repository}`;
      // Subscribers watch what they pull: every tag the promotion wrote at the destination.
      const tags = promoted.destination.tags.length
        ? promoted.destination.tags
        : [promoted.source.tag ?? promoted.source.digest];
      await notifyPromotionFailure(
        { store, notifier, hostId },
        {
          accountName: promoted.accountName,
          tag: `${destination}:${tags[0] ?? ''}`,
          notifyTags: tags.map((t) => `${destination}:${t}`),
          digest: promoted.source.digest,
          ruleId: rule.id,
          policyId: evaluation.policy.id,
          reasons: evaluation.reasons,
          type: 'user.image.promotion.recheck_failed',
          message: `Promoted image ${promoted.destination.repository}@${promoted.source.digest} now fails its policy`,
        },
      );
      steps.push({ step: 'notified', at: new Date().toISOString() });
    }
    await store.promotions.addRecord({
      accountName: promoted.accountName,
      rule,
      source: promoted.source,
      destination: promoted.destination,
      policy: evaluation.policy,
      verdict: evaluation.verdict,
      outcome: evaluation.verdict === 'fail' ? 'recheck_failed' : 'recheck_passed',
      reasons: evaluation.reasons,
      trigger: { kind: 'recheck', by: 'vulnerability data update' },
      steps,
      report: evaluation.report,
      error: undefined,
    });
    results.push(result);
  }
  return results;
}

/**
 * The feed sync's `onFindingsChanged` hook: re-checks the promotions of each digest whose
 * findings changed; a failure is handed to `onError` (logged), never thrown into the sync.
 */
export function recheckPromotionsOnChange(
  deps: RecheckDeps,
  onError: (err: unknown, imageDigest: string) => void,
): (imageDigest: string) => Promise<void> {
  return async (imageDigest) => {
    try {
      await onPromotedImageVerdictChanged(deps, { imageDigest });
    } catch (err) {
      onError(err, imageDigest);
    }
  };
}
