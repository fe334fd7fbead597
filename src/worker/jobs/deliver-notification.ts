/**
 * deliver-notification: posts one stream's queued notifications in order (src/notifications).
 * A failed post never fails the job: the stream schedules its own retry with backoff and
 * jitter until each notification's deadline, so the queue's short retry budget does not apply.
 */
import { z } from 'zod';
import { JobQueue } from '../../queue/queue.js';
import {
  DEFAULT_DELIVERY_OPTIONS,
  DELIVER_NOTIFICATION_JOB,
  deliverStream,
  type DeliveryOptions,
} from '../../notifications/deliver.js';
import { UrlGuard } from '../../notifications/ssrf.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { defineJob, type JobDefinition } from '../types.js';

export const deliverNotificationPayload = z.object({
  accountName: z.string().min(1),
  stream: z.string().min(1),
});

export interface DeliverNotificationDeps {
  store: ServiceStore;
  /** Webhook delivery settings; the defaults refuse private and loopback targets. */
  notifications?: {
    queue?: JobQueue;
    guard?: UrlGuard;
    options?: Partial<DeliveryOptions>;
  };
}

export function deliverNotificationJob(deps: DeliverNotificationDeps): JobDefinition {
  const queue = deps.notifications?.queue ?? new JobQueue(deps.store.db);
  const guard = deps.notifications?.guard ?? new UrlGuard({ allowCidrs: [], selfOrigins: [] });
  const options = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.notifications?.options };
  return defineJob<z.infer<typeof deliverNotificationPayload>>({
    kind: DELIVER_NOTIFICATION_JOB,
    payload: deliverNotificationPayload,
    maxAttempts: 5,
    async run(payload, ctx) {
      const result = await deliverStream(
        { db: deps.store.db, box: deps.store.box, queue, guard, options, log: ctx.log },
        payload.accountName,
        payload.stream,
      );
      ctx.log.debug({ stream: payload.stream, ...result }, 'notifications delivered');
    },
  });
}
