/**
 * Who acts on a registry push (job `registry-push`, queued by the push endpoint): an explicit
 * list, run in order for every push, each consumer independent of the others. A consumer that
 * throws fails the job, which the queue retries (registries may announce a manifest before it
 * can be read); consumers must therefore be idempotent. To add one, append it here.
 */
import type { PushEvent } from '../queue/push.js';
import { enqueuePromotionsForPush } from '../queue/request-promotion.js';
import { observeTag, type TagWatchDeps } from './tag-watch.js';

export type PushConsumerDeps = TagWatchDeps;

export interface PushConsumer {
  name: string;
  consume(deps: PushConsumerDeps, event: PushEvent): Promise<void>;
}

/** Tag watchers: a push by tag is a tag move seen at once, without waiting for the next poll. */
export const tagWatchersConsumer: PushConsumer = {
  name: 'tag-watchers',
  async consume(deps, event) {
    if (event.tag === undefined) return; // a push by digest moves no tag
    await observeTag(deps, {
      registry: event.registry,
      repo: event.repository,
      tag: event.tag,
      digest: event.digest,
    });
  },
};

/**
 * Scan-gated promotion: every account's enabled rule matching the pushed tag queues a promote
 * job (idempotent: one pending job per rule, repository, tag and digest).
 */
export const promotionsConsumer: PushConsumer = {
  name: 'promotions',
  async consume(deps, event) {
    const queued = await enqueuePromotionsForPush({ store: deps.store, queue: deps.queue }, event);
    if (queued > 0)
      deps.log.info({ queued, repository: event.repository, tag: event.tag }, 'promotions queued');
  },
};

export const PUSH_CONSUMERS: readonly PushConsumer[] = [tagWatchersConsumer, promotionsConsumer];

/**
 * The one path of a push, whoever saw it: the `registry-push` job (a registry notification) and
 * the `watch-registry` poll (a watched tag that moved, a watched repository's new tag) both
 * hand it to every consumer in order, so the two can never diverge.
 */
export async function handlePush(
  deps: PushConsumerDeps,
  event: PushEvent,
  consumers: readonly PushConsumer[] = PUSH_CONSUMERS,
  signal?: AbortSignal,
): Promise<void> {
  for (const consumer of consumers) {
    signal?.throwIfAborted();
    await consumer.consume({ ...deps, log: deps.log.child({ consumer: consumer.name }) }, event);
  }
}
