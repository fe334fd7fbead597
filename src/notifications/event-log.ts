/**
 * Event-log forwarding (Anchore Engine's `event_log` webhook): an account's events at or above
 * the level its `event_log` endpoint is set to (`info` or `error`; default `error`, as Anchore's
 * shipped config) are queued for that endpoint, signed and retried by the outbox like every
 * notification. The payload carries the event in the shape `GET /v1/events` answers with.
 * Only an `event_log` endpoint receives events: the `general` URL does not.
 */
import type { EventLevel, EventRecord } from '../store/repositories/events.js';
import type { Sql } from '../store/sql.js';

export const EVENT_LEVELS = ['info', 'error'] as const satisfies readonly EventLevel[];
export const DEFAULT_EVENT_LOG_LEVEL: EventLevel = 'error';

const RANK: Record<EventLevel, number> = { info: 0, error: 1 };

/** The level from which the account's events are forwarded; undefined = no event_log endpoint. */
export async function eventLogLevel(db: Sql, accountName: string): Promise<EventLevel | undefined> {
  const { rows } = await db.query<{ min_level: EventLevel | null }>(
    "SELECT min_level FROM notification_endpoint WHERE account_name = $1 AND notification_type = 'event_log'",
    [accountName],
  );
  const row = rows[0];
  return row ? (row.min_level ?? DEFAULT_EVENT_LOG_LEVEL) : undefined;
}

export function atOrAbove(level: EventLevel, threshold: EventLevel): boolean {
  return RANK[level] >= RANK[threshold];
}

/** The event as Anchore's API and event_log notifications carry it. */
export function anchoreEvent(event: EventRecord): Record<string, unknown> {
  return {
    type: event.type,
    level: event.level,
    message: event.message,
    details: event.details,
    timestamp: event.createdAt.toISOString(),
    category: event.category,
    resource: { user_id: event.accountName, type: event.resourceType, id: event.resourceId },
    source: { servicename: event.sourceService, hostid: event.sourceHost, base_url: null, request_id: null },
    generated_uuid: event.id,
  };
}
