/**
 * Who acts on a registry push (job `registry-push`, queued by the push endpoint): an explicit
 * list, run in order for every push, each consumer independent of the others. A consumer that
 * throws fails the job, which the queue retries (registries may announce a manifest before it
 * can be read); consumers must therefore be idempotent. To add one (the promotion worker's
 * `enqueuePromotionsForPush(deps, event)`), append it here.
 */
import type { PushEvent } from '../queue/push.js';
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

export const PUSH_CONSUMERS: readonly PushConsumer[] = [tagWatchersConsumer];
