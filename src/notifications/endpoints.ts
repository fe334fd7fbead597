/**
 * Notification endpoints per account and type. The URL (a Slack incoming-webhook URL is itself
 * a credential) and the signing secret are sealed with the store's SecretBox, bound to the
 * row's account and type; only a shortened form of the URL (`shown`) is kept in clear for
 * listings and delivery attempts. Rows written before sealing existed are sealed on start.
 */
import type { SecretBox } from '../store/repositories/secret-box.js';
import type { Sql } from '../store/sql.js';
import type { EventLevel } from '../store/repositories/events.js';
import { DEFAULT_EVENT_LOG_LEVEL } from './event-log.js';
import type { EndpointType, NotificationType } from './types.js';

export type Sink = 'webhook' | 'slack';

export interface NotificationEndpoint {
  accountName: string;
  type: EndpointType;
  sink: Sink;
  url: string;
  secret: string;
  /** event_log only: the lowest level forwarded (default `error`). */
  minLevel?: EventLevel | undefined;
}

/** What an API answer may carry: the URL shortened, never the secret. */
export interface ShownEndpoint {
  accountName: string;
  type: EndpointType;
  sink: Sink;
  url: string;
  /** event_log only: the lowest level forwarded. */
  minLevel?: EventLevel;
}

const context = (accountName: string, type: string, field: 'url' | 'secret') =>
  `notification-endpoint\0${accountName}\0${type}\0${field}`;

/**
 * The URL's origin and first path segment; deeper segments and the query (where webhook
 * tokens live, as in `hooks.slack.com/services/T/B/token`) become `…`.
 */
export function shownUrl(raw: string): string {
  const url = new URL(raw);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const first = segments[0] === undefined ? '/' : `/${segments[0]}`;
  const rest = segments.length > 1 ? '/…' : '';
  return `${url.origin}${first}${rest}${url.search === '' ? '' : '?…'}`;
}

/** Where a type goes without its own endpoint: `general`, except events (only to event_log). */
const fallback = (type: NotificationType): string => (type === 'event_log' ? 'event_log' : 'general');

interface Row {
  account_name: string;
  notification_type: EndpointType;
  sink: Sink;
  url: string;
  secret: string;
  url_shown: string | null;
  sealed: boolean;
  min_level: EventLevel | null;
}

/** True when a notification of `type` has somewhere to go (its own endpoint or `general`). */
export async function hasEndpoint(db: Sql, accountName: string, type: NotificationType): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM notification_endpoint WHERE account_name = $1 AND notification_type IN ($2, $3) LIMIT 1`,
    [accountName, type, fallback(type)],
  );
  return rows.length > 0;
}

export class NotificationEndpoints {
  constructor(
    private readonly db: Sql,
    private readonly box: SecretBox,
  ) {}

  async set(endpoint: NotificationEndpoint): Promise<ShownEndpoint> {
    const { accountName, type } = endpoint;
    const shown = shownUrl(endpoint.url);
    const minLevel = type === 'event_log' ? (endpoint.minLevel ?? DEFAULT_EVENT_LOG_LEVEL) : undefined;
    await this.db.query(
      `INSERT INTO notification_endpoint (account_name, notification_type, sink, url, secret, url_shown, sealed, min_level)
       VALUES ($1, $2, $3, $4, $5, $6, true, $7)
       ON CONFLICT (account_name, notification_type)
       DO UPDATE SET sink = $3, url = $4, secret = $5, url_shown = $6, sealed = true, min_level = $7`,
      [
        accountName,
        type,
        endpoint.sink,
        this.box.seal(endpoint.url, context(accountName, type, 'url')),
        this.box.seal(endpoint.secret, context(accountName, type, 'secret')),
        shown,
        minLevel ?? null,
      ],
    );
    return { accountName, type, sink: endpoint.sink, url: shown, ...(minLevel ? { minLevel } : {}) };
  }

  async list(accountName: string): Promise<ShownEndpoint[]> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM notification_endpoint WHERE account_name = $1 ORDER BY notification_type',
      [accountName],
    );
    return rows.map((r) => ({
      accountName,
      type: r.notification_type,
      sink: r.sink,
      url: r.url_shown ?? shownUrl(r.url),
      ...(r.min_level ? { minLevel: r.min_level } : {}),
    }));
  }

  async delete(accountName: string, type: EndpointType): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM notification_endpoint WHERE account_name = $1 AND notification_type = $2 RETURNING sink',
      [accountName, type],
    );
    return rows.length > 0;
  }

  /** The endpoint a notification of `type` goes to, opened: its own, else the account's general one. */
  async endpointFor(
    accountName: string,
    type: NotificationType,
  ): Promise<(NotificationEndpoint & { shown: string }) | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM notification_endpoint
       WHERE account_name = $1 AND notification_type IN ($2, $3)
       ORDER BY notification_type = 'general' LIMIT 1`,
      [accountName, type, fallback(type)],
    );
    const r = rows[0];
    if (!r) return undefined;
    const open = (value: string, field: 'url' | 'secret') =>
      r.sealed ? this.box.open(value, context(accountName, r.notification_type, field)) : value;
    const url = open(r.url, 'url');
    return {
      accountName,
      type: r.notification_type,
      sink: r.sink,
      url,
      secret: open(r.secret, 'secret'),
      shown: r.url_shown ?? shownUrl(url),
    };
  }

  /**
   * Seals rows stored in clear (before migration 21) and shortens the URLs their delivery
   * attempts recorded. Idempotent; returns how many endpoints were sealed.
   */
  async sealPlaintext(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Row>('SELECT * FROM notification_endpoint WHERE NOT sealed FOR UPDATE');
      for (const r of rows) {
        const shown = shownUrl(r.url);
        await tx.query(
          `UPDATE notification_endpoint SET url = $3, secret = $4, url_shown = $5, sealed = true
           WHERE account_name = $1 AND notification_type = $2`,
          [
            r.account_name,
            r.notification_type,
            this.box.seal(r.url, context(r.account_name, r.notification_type, 'url')),
            this.box.seal(r.secret, context(r.account_name, r.notification_type, 'secret')),
            shown,
          ],
        );
        await tx.query(
          `UPDATE notification_attempt a SET url = $3 FROM notification n
           WHERE a.notification_id = n.id AND n.account_name = $1 AND a.url = $2`,
          [r.account_name, r.url, shown],
        );
      }
      return rows.length;
    });
  }
}
