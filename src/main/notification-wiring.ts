/**
 * The notification settings of `serve` turned into the objects API and worker share: one SSRF
 * guard (the configured allow-list; the service's own listen address, public URL and origins
 * refused), one Notifier queuing with the configured retry deadline, and the delivery options
 * (deadline, Slack links to the public URL).
 */
import { DEFAULT_NOTIFICATION_DEADLINE_MS } from '../config/notifications.js';
import type { ServiceConfig } from '../config/service.js';
import type { DeliveryOptions } from '../notifications/deliver.js';
import { Notifier } from '../notifications/notify.js';
import { selfAddressesOf, UrlGuard, type SelfAddress } from '../notifications/ssrf.js';
import type { JobQueue } from '../queue/queue.js';
import type { Sql } from '../store/sql.js';

export interface NotificationWiring {
  guard: UrlGuard;
  notifier: Notifier;
  delivery: Partial<DeliveryOptions>;
  /** The API bound this port (`--listen HOST:0`): it is refused as a target too. */
  listening(port: number): void;
}

export function notificationWiring(config: ServiceConfig, db: Sql, queue: JobQueue): NotificationWiring {
  const settings = config.notifications;
  const deadlineMs = settings?.deadlineMs ?? DEFAULT_NOTIFICATION_DEADLINE_MS;
  const self: SelfAddress[] = selfAddressesOf({ host: config.host, port: config.port }, settings?.publicUrl);
  const scheme = config.tls ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const guard = new UrlGuard({
    allowCidrs: settings?.webhookAllowCidrs ?? [],
    selfOrigins: [`${scheme}://${host}:${config.port}`, ...(settings?.publicUrl ? [settings.publicUrl] : [])],
    selfAddresses: self,
  });
  return {
    guard,
    notifier: new Notifier(db, queue, { deadlineMs }),
    delivery: { deadlineMs, ...(settings?.publicUrl ? { linkBase: settings.publicUrl } : {}) },
    listening(port) {
      if (port !== config.port) self.push({ host: config.host, port });
    },
  };
}
