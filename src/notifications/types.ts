/** Notification types, Anchore's names; `general` is the catch-all endpoint. */
/** `event_log` carries the account's events (event-log.ts), not a subscription's changes. */
export const NOTIFICATION_TYPES = [
  'tag_update',
  'analysis_update',
  'vuln_update',
  'policy_eval',
  'event_log',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export const ENDPOINT_TYPES = ['general', ...NOTIFICATION_TYPES] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

export function isNotificationType(value: string): value is NotificationType {
  return (NOTIFICATION_TYPES as readonly string[]).includes(value);
}
