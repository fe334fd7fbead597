/**
 * Queues promotions: for a registry push (every account's matching rule gets one `promote`
 * job) and for a manual request through the API. The push consumer is what the registry
 * notification endpoint calls; it ignores blob events and pushes by digest alone.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceStore } from '../store/repositories/index.js';
import type { PromotionTrigger, StoredPromotionRule } from '../store/repositories/promotions.js';
import type { Sql } from '../store/sql.js';
import { JOB_KINDS } from './kinds.js';
import type { JobQueue } from './queue.js';

/** What the `promote` job receives (the worker validates it with its own schema). */
export interface PromotePayload {
  /** Becomes the audit record's key: one record per promotion, however many attempts. */
  promotionId: string;
  accountName: string;
  ruleId: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  trigger: PromotionTrigger;
}

/** Attempts of a promotion: registry outages and refusals get a few tries with the queue's backoff. */
export const PROMOTE_MAX_ATTEMPTS = 4;

export interface PushEvent {
  registry: string;
  repository: string;
  /** Absent on a push by digest. */
  tag?: string | undefined;
  digest: string;
  mediaType?: string | undefined;
  /** The registry's address (or the watcher) the event came from, for the audit trail. */
  receivedFrom: string;
  /** A registry notification (default) or a watcher's poll. */
  via?: 'notification' | 'watch' | undefined;
}

/** How long a hand-off of a push to the rules may take before another sighting retries it. */
const HANDOFF_LEASE_MS = 5 * 60_000;

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export interface PromotionQueueDeps {
  store: ServiceStore;
  queue: JobQueue;
}

/** Queues one promotion under a rule; a second request for the same image and tag while one is pending is merged. */
export async function requestPromotion(
  deps: PromotionQueueDeps,
  rule: StoredPromotionRule,
  image: { registry: string; repository: string; tag: string; digest: string },
  trigger: PromotionTrigger,
  db?: Sql,
): Promise<{ promotionId: string; jobId: string; created: boolean }> {
  const promotionId = randomUUID();
  const payload: PromotePayload = {
    promotionId,
    accountName: rule.accountName,
    ruleId: rule.id,
    ...image,
    trigger,
  };
  const job = await deps.queue.enqueue(
    {
      kind: JOB_KINDS.promote,
      payload,
      maxAttempts: PROMOTE_MAX_ATTEMPTS,
      singletonKey: `promote:${rule.accountName}:${rule.id}:${image.repository}:${image.tag}:${image.digest}`,
    },
    db,
  );
  return { promotionId, jobId: job.id, created: job.created };
}

/**
 * The consumer of registry push notifications and of the watchers' polls: finds the matching
 * rules across accounts and queues a promotion for each. A tag move is handed to the rules once
 * (`push_handoff`, migration 22), whether a notification or a poll saw it first; a failed
 * hand-off is released so the retry (or the next poll) makes it. Returns how many were queued.
 */
export async function enqueuePromotionsForPush(deps: PromotionQueueDeps, event: PushEvent): Promise<number> {
  if (event.mediaType !== undefined && !MANIFEST_TYPES.has(event.mediaType)) return 0;
  const tag = event.tag;
  if (tag === undefined) return 0;
  const rules = await deps.store.promotions.rulesForPush({ ...event, tag });
  if (rules.length === 0) return 0;
  const image = {
    registry: event.registry.toLowerCase(),
    repository: event.repository,
    tag,
    digest: event.digest,
  };
  const moved = { registry: image.registry, repo: image.repository, tag, digest: image.digest };
  if (!(await deps.store.watches.claimHandOff(moved, event.receivedFrom, HANDOFF_LEASE_MS))) return 0;
  const trigger: PromotionTrigger =
    event.via === 'watch'
      ? { kind: 'watch', by: event.receivedFrom }
      : { kind: 'push', by: event.receivedFrom };
  let queued = 0;
  try {
    for (const rule of rules) {
      const { created } = await requestPromotion(deps, rule, image, trigger);
      if (created) queued++;
    }
  } catch (err) {
    await deps.store.watches.endHandOff(moved, false);
    throw err;
  }
  await deps.store.watches.endHandOff(moved, true);
  return queued;
}
