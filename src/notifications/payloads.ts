/**
 * Anchore Engine's notification payloads, so receivers written for it keep working: the common
 * fields (`userId`, `subscription_key`, `subscription_type`, `notificationId`, `annotations`)
 * plus each type's own, wrapped in the queued-notification envelope the engine posted.
 */
import type { FindingsDiff } from './diff.js';
import type { NotificationType } from './types.js';

export interface AnalysisState {
  analysis_status: string;
  image_digest: string;
  annotations: Record<string, string>;
}

/** An evaluation record as policy_eval carries it (status pass/fail, final action, digest). */
export interface EvaluationState {
  image_digest: string;
  status: 'pass' | 'fail';
  final_action: string;
  policy_id: string;
  evaluated_at: string;
}

export type TypePayload =
  | { type: 'tag_update'; currentDigests: string[]; lastDigests: string[] }
  | { type: 'analysis_update'; current: AnalysisState; last: AnalysisState | null }
  | { type: 'vuln_update'; imageDigest: string; diff: FindingsDiff }
  | { type: 'policy_eval'; current: EvaluationState; last: EvaluationState | null }
  | { type: 'event_log'; event: Record<string, unknown> };

export interface NotificationSubject {
  accountName: string;
  accountEmail?: string | null;
  /** The full tag (the subscription key). */
  tag: string;
  annotations?: Record<string, string>;
}

function typeFields(p: TypePayload): Record<string, unknown> {
  switch (p.type) {
    case 'tag_update':
      return { curr_eval: p.currentDigests, last_eval: p.lastDigests };
    case 'analysis_update':
      return { curr_eval: p.current, last_eval: p.last ?? {} };
    case 'vuln_update':
      return { imageDigest: p.imageDigest, diff_vulnerability_result: p.diff };
    case 'policy_eval':
      return { curr_eval: p.current, last_eval: p.last ?? {} };
    case 'event_log':
      return { event: p.event };
  }
}

export function notificationPayload(
  id: string,
  subject: NotificationSubject,
  payload: TypePayload,
): Record<string, unknown> {
  return {
    userId: subject.accountName,
    subscription_key: subject.tag,
    subscription_type: payload.type,
    notificationId: id,
    annotations: subject.annotations ?? {},
    ...typeFields(payload),
  };
}

/** The `data` part of the engine's queued notification: what the outbox stores. */
export function notificationData(
  subject: NotificationSubject,
  payload: Record<string, unknown>,
  type: NotificationType,
) {
  return {
    notification_user: subject.accountName,
    notification_user_email: subject.accountEmail ?? null,
    notification_type: type,
    notification_payload: payload,
  };
}

/** The envelope the engine's webhooks received: the queued notification record. */
export function anchoreEnvelope(input: {
  id: string;
  type: NotificationType;
  accountName: string;
  data: Record<string, unknown>;
  createdAt: Date;
  deadline: Date;
  attempt: number;
}): Record<string, unknown> {
  return {
    queueId: input.type,
    userId: input.accountName,
    dataId: input.id,
    created_at: Math.floor(input.createdAt.getTime() / 1000),
    last_updated: Math.floor(Date.now() / 1000),
    record_state_key: 'active',
    record_state_val: null,
    tries: input.attempt,
    max_tries: Math.floor(input.deadline.getTime() / 1000),
    data: input.data,
  };
}
