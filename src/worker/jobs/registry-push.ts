/**
 * registry-push: one pushed manifest, handed to every push consumer in order
 * (src/worker/push-consumers.ts). Retried by the queue when a consumer fails, e.g. a manifest
 * announced before the registry serves it.
 */
import { Notifier } from '../../notifications/notify.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { pushEventPayload, type PushEvent } from '../../queue/push.js';
import { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { handlePush, PUSH_CONSUMERS, type PushConsumer } from '../push-consumers.js';
import type { ResolveTag } from '../tag-watch.js';
import { defineJob, type JobDefinition } from '../types.js';

export interface RegistryPushDeps {
  store: ServiceStore;
  resolveTag: ResolveTag;
  notifier?: Notifier;
  /** Defaults to PUSH_CONSUMERS. */
  pushConsumers?: readonly PushConsumer[];
}

export function registryPushJob(deps: RegistryPushDeps): JobDefinition {
  const queue = new JobQueue(deps.store.db);
  const notifier = deps.notifier ?? new Notifier(deps.store.db, queue);
  const consumers = deps.pushConsumers ?? PUSH_CONSUMERS;
  return defineJob<PushEvent>({
    kind: JOB_KINDS.registryPush,
    payload: pushEventPayload,
    maxAttempts: 5,
    async run(event, ctx) {
      await handlePush(
        { store: deps.store, queue, notifier, resolveTag: deps.resolveTag, log: ctx.log },
        event,
        consumers,
        ctx.signal,
      );
    },
  });
}
