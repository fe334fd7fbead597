/**
 * Anchore's `system.feeds.sync.*` events: a feed sync is the system's, so its events go to the
 * admin accounts (as the engine wrote them under its admin user), through the notifier when
 * there is one so that an `event_log` webhook at that level receives them too.
 */
import { hostname } from 'node:os';
import type { Notifier } from '../notifications/notify.js';
import type { EventType } from '../store/repositories/event-types.js';
import type { EventLevel } from '../store/repositories/events.js';
import type { ServiceStore } from '../store/repositories/index.js';

export interface FeedSyncEvent {
  type: Extract<EventType, `system.feeds.sync.${string}`>;
  level: EventLevel;
  message: string;
  details: Record<string, unknown>;
}

export async function recordFeedSyncEvent(
  deps: { store: ServiceStore; notifier?: Notifier | undefined },
  event: FeedSyncEvent,
): Promise<void> {
  const admins = (await deps.store.accounts.list({ state: 'enabled' })).filter((a) => a.type === 'admin');
  for (const admin of admins) {
    const input = {
      ...event,
      accountName: admin.name,
      category: 'system',
      resourceType: 'feeds',
      resourceId: 'vulnerabilities',
      sourceService: 'policy_engine',
      sourceHost: hostname(),
    };
    if (deps.notifier) await deps.notifier.recordEvent(input);
    else await deps.store.events.add(input);
  }
}
