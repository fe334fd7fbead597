/**
 * Notification endpoints per account and type. The URL (a Slack incoming-webhook URL is itself
 * a credential) and the signing secret are sealed with the store's SecretBox, bound to the
 * row's account and type; only a shortened form of the URL (`shown`) is kept in clear for
 * listings and delivery attempts. Rows written before sealing existed are sealed on start.
 * A webhook endpoint may carry basic auth credentials (migration 41): the password is sealed
 * the same way and never leaves this module but for delivery; the user name is listed.
 */
import { PortcullisError } from '../core/errors.js';
import type { SecretBox } from '../store/repositories/secret-box.js';
import type { Sql } from '../store/sql.js';
import type { EventLevel } from '../store/repositories/events.js';
import { DEFAULT_EVENT_LOG_LEVEL } from './event-log.js';
import type { EndpointType, NotificationType } from './types.js';
import { webhookAuthProblem, type BasicAuth } from './webhook-auth.js';

export type Sink = 'webhook' | 'slack';

export interface NotificationEndpoint {
  accountName: string;
  type: EndpointType;
  sink: Sink;
  url: string;
  secret: string;
  /** event_log only: the lowest level forwarded (default `error`). */
  minLevel?: EventLevel | undefined;
  /** Anchore's `webhook_user`/`webhook_pass`, sent as HTTP basic auth (sink webhook only). */
  basicAuth?: BasicAuth | undefined;
  /** Anchore's `ssl_verify` (default true): false accepts any certificate of an https receiver. */
  sslVerify?: boolean | undefined;
}

/** What an API answer may carry: the URL shortened, never the secret. */
export interface ShownEndpoint {
  accountName: string;
  type: EndpointType;
  sink: Sink;
  url: string;
  /** event_log only: the lowest level forwarded. */
  minLevel?: EventLevel;
  /** The basic auth user, when credentials are set (the password is never shown). */
  webhookUser?: string;
  sslVerify: boolean;
}

const context = (accountName: string, type: string, field: 'url' | 'secret' | 'webhook_pass') =>
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
  webhook_user: string | null;
  /** Always sealed (the column came after sealing). */
  webhook_pass: string | null;
  ssl_verify: boolean;
}

const shown = (r: Row): Pick<ShownEndpoint, 'minLevel' | 'webhookUser' | 'sslVerify'> => ({
  ...(r.min_level ? { minLevel: r.min_level } : {}),
  ...(r.webhook_user !== null ? { webhookUser: r.webhook_user } : {}),
  sslVerify: r.ssl_verify,
});

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
    const { accountName, type, basicAuth } = endpoint;
    const problem = webhookAuthProblem({
      user: basicAuth?.user,
      password: basicAuth?.password,
      sink: endpoint.sink,
    });
    if (problem) throw new PortcullisError('INVALID_ARGUMENT', problem);
    const urlShown = shownUrl(endpoint.url);
    const minLevel = type === 'event_log' ? (endpoint.minLevel ?? DEFAULT_EVENT_LOG_LEVEL) : undefined;
    const sslVerify = endpoint.sslVerify ?? true;
    // A PUT replaces the whole endpoint: credentials not given are dropped.
    const { rows } = await this.db.query<Row>(
      `INSERT INTO notification_endpoint
         (account_name, notification_type, sink, url, secret, url_shown, sealed, min_level, webhook_user, webhook_pass, ssl_verify)
       VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $9, $10)
       ON CONFLICT (account_name, notification_type)
       DO UPDATE SET sink = $3, url = $4, secret = $5, url_shown = $6, sealed = true, min_level = $7,
         webhook_user = $8, webhook_pass = $9, ssl_verify = $10
       RETURNING *`,
      [
        accountName,
        type,
        endpoint.sink,
        this.box.seal(endpoint.url, context(accountName, type, 'url')),
        this.box.seal(endpoint.secret, context(accountName, type, 'secret')),
        urlShown,
        minLevel ?? null,
        basicAuth?.user ?? null,
        basicAuth ? this.box.seal(basicAuth.password, context(accountName, type, 'webhook_pass')) : null,
        sslVerify,
      ],
    );
    return { accountName, type, sink: endpoint.sink, url: urlShown, ...shown(rows[0]!) };
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
      ...shown(r),
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
    const basicAuth =
      r.webhook_user !== null && r.webhook_pass !== null
        ? {
            user: r.webhook_user,
            password: this.box.open(
              r.webhook_pass,
              context(accountName, r.notification_type, 'webhook_pass'),
            ),
          }
        : undefined;
    return {
      accountName,
      type: r.notification_type,
      sink: r.sink,
      url,
      secret: open(r.secret, 'secret'),
      shown: r.url_shown ?? shownUrl(url),
      ...(basicAuth ? { basicAuth } : {}),
      sslVerify: r.ssl_verify,
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
