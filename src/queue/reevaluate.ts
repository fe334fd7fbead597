/**
 * Queues the re-evaluation of an account's images after its policy changed (a bundle activated,
 * the active bundle edited). One job per account at a time: a burst of edits evaluates once
 * more after the running job, never once per edit.
 */
import { JOB_KINDS } from './kinds.js';
import type { JobQueue } from './queue.js';

export function enqueueReevaluation(
  queue: JobQueue,
  accountName: string,
  reason: string,
): Promise<{ id: string; created: boolean }> {
  return queue.enqueue({
    kind: JOB_KINDS.reevaluateAccount,
    payload: { accountName, reason },
    singletonKey: `reevaluate:${accountName}`,
  });
}

/**
 * Queues the re-evaluation for when a whitelist item of the active bundle expires (a moment
 * after it, so the evaluation sees it expired). One job per account and expiry time.
 */
export function enqueueExpiryReevaluation(
  queue: JobQueue,
  accountName: string,
  expiresAt: Date,
): Promise<{ id: string; created: boolean }> {
  return queue.enqueue({
    kind: JOB_KINDS.reevaluateAccount,
    payload: { accountName, reason: `whitelist item expired at ${expiresAt.toISOString()}` },
    singletonKey: `reevaluate-expiry:${accountName}:${expiresAt.toISOString()}`,
    runAt: new Date(expiresAt.getTime() + 1_000),
  });
}
