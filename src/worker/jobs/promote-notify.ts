/**
 * Telling people a promotion (or a promoted image) failed: an event in the account's event
 * log, and a `policy_eval` notification to the account's endpoint. The rule's "notify" is the
 * request, so no subscription to the tag is needed (the pushed source tag rarely has one).
 */
import type { Notifier } from '../../notifications/notify.js';
import type { ServiceStore } from '../../store/repositories/index.js';

export interface PromotionFailureNotice {
  accountName: string;
  /** registry/repository:tag */
  tag: string;
  /** The tags whose `policy_eval` subscribers are told (default: `tag`). */
  notifyTags?: readonly string[];
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
  for (const tag of notice.notifyTags ?? [notice.tag])
    await deps.notifier.notifyPolicyEvaluated(
      notice.accountName,
      tag,
      {
        image_digest: notice.digest,
        status: 'fail',
        final_action: 'stop',
        policy_id: notice.policyId,
        evaluated_at: new Date().toISOString(),
      },
      null,
      { requested: true },
    );
}
