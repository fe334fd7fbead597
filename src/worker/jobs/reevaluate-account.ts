/**
 * reevaluate-account: every analysed image of the account against its active bundle, after the
 * policy changed. Verdicts are stored; a tag whose pass/fail changed gets `policy_eval` and an
 * event (src/notifications/reevaluate.ts). The next expiry of a whitelist item in the active
 * bundle is queued as another run, so an exception running out is noticed without any edit.
 */
import { z } from 'zod';
import { nextWhitelistExpiry } from '../../core/policy/whitelist.js';
import { Notifier } from '../../notifications/notify.js';
import { reevaluateAccount } from '../../notifications/reevaluate.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { JobQueue } from '../../queue/queue.js';
import { enqueueExpiryReevaluation } from '../../queue/reevaluate.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { defineJob, type JobDefinition } from '../types.js';

export const reevaluateAccountPayload = z.object({
  accountName: z.string().min(1),
  reason: z.string().max(200),
});

export interface ReevaluateAccountDeps {
  store: ServiceStore;
  hostId?: string;
  notifier?: Notifier;
}

export function reevaluateAccountJob(deps: ReevaluateAccountDeps): JobDefinition {
  const queue = new JobQueue(deps.store.db);
  const notifier = deps.notifier ?? new Notifier(deps.store.db, queue);
  return defineJob<z.infer<typeof reevaluateAccountPayload>>({
    kind: JOB_KINDS.reevaluateAccount,
    payload: reevaluateAccountPayload,
    maxAttempts: 3,
    async run(payload, ctx) {
      const result = await reevaluateAccount(
        { store: deps.store, notifier, ...(deps.hostId ? { hostId: deps.hostId } : {}) },
        payload.accountName,
        ctx.signal,
      );
      ctx.log.info(
        { account: payload.accountName, reason: payload.reason, ...result },
        'account re-evaluated',
      );
      const policy = await deps.store.policies.active(payload.accountName);
      const expiry = policy && nextWhitelistExpiry(policy.bundle, new Date());
      if (expiry) await enqueueExpiryReevaluation(queue, payload.accountName, expiry);
    },
  });
}
