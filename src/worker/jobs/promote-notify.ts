/**
 * Telling people a promotion (or a promoted image) failed: an event in the account's event
 * log, and a `policy_eval` notification to whoever subscribed to the tag.
 */
import type { Notifier } from '../../notifications/notify.js';
import type { ServiceStore } from '../../store/repositories/index.js';

export interface PromotionFailureNotice {
  accountName: string;
  /** registry/repository:tag */
  tag: string;
  digest: string;
  ruleId: string;
  policyId: string;
  reasons: readonly string[];
  type: 'user.image.promotion.rejected' | 'user.image.promotion.recheck_failed';
  message: string;
}

export async function notifyPromotionFailure(
  deps: { store: ServiceStore; notifier: Notifier; hostId: string },
  notice: PromotionFailureNotice,
): Promise<void> {
  await deps.notifier.recordEvent({
    accountName: notice.accountName,
    type: notice.type,
    level: 'error',
    message: notice.message,
    details: { tag: notice.tag, digest: notice.digest, ruleId: notice.ruleId, reasons: notice.reasons },
    resourceType: 'image_digest',
    resourceId: notice.digest,
    sourceService: 'promotion',
    sourceHost: deps.hostId,
  });
  await deps.notifier.notifyPolicyEvaluated(
    notice.accountName,
    notice.tag,
    {
      image_digest: notice.digest,
      status: 'fail',
      final_action: 'stop',
      policy_id: notice.policyId,
      evaluated_at: new Date().toISOString(),
    },
    null,
  );
}
