/**
 * A worker that runs only deliver-notification, with the SSRF guard opened to 127.0.0.0/8
 * (where test receivers listen) and fast retries unless told otherwise. Started; stop it.
 */
import pino from 'pino';
import type { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { deliverNotificationJob } from '../../worker/jobs/deliver-notification.js';
import { WorkerRunner } from '../../worker/runner.js';
import type { DeliveryOptions } from '../deliver.js';
import { UrlGuard } from '../ssrf.js';

export function startDeliveryRunner(
  store: ServiceStore,
  queue: JobQueue,
  options: Partial<DeliveryOptions> = { retryBaseMs: 20, retryMaxMs: 200 },
  concurrency = 1,
): WorkerRunner {
  const runner = new WorkerRunner(
    queue,
    [
      deliverNotificationJob({
        store,
        notifications: {
          queue,
          guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }),
          options,
        },
      }),
    ],
    { owner: 'test', concurrency, pollMs: 20, drainTimeoutMs: 2_000 },
    pino({ level: 'silent' }),
  );
  runner.start();
  return runner;
}
