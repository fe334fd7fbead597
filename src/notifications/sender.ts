/**
 * Posts the notifications of one stream run (deliver.ts): the endpoint is read and opened, and
 * its URL vetted by the SSRF guard, once per run rather than once per notification, and the
 * posts share one kept-alive connection pinned to the vetted address. A run is short (it ends
 * at the first failure or when the stream is empty), so an endpoint changed meanwhile is used
 * from the next run on. Basic auth credentials go only to the vetted URL: a redirect is never
 * followed (it could lead past the SSRF guard, and would carry the credentials to another host).
 */
import { Agent, fetch } from 'undici';
import type { DeliveryDeps } from './deliver.js';
import { NotificationEndpoints, type NotificationEndpoint } from './endpoints.js';
import type { OutboxRow } from './outbox.js';
import { anchoreEnvelope } from './payloads.js';
import { signWebhook } from './sign.js';
import { slackMessage } from './slack.js';
import type { NotificationType } from './types.js';
import { expandWebhookUrl } from './url-template.js';
import { basicAuthorization } from './webhook-auth.js';

export type Outcome = ({ ok: true; status: number } | { ok: false; status: number | null; error: string }) & {
  url: string;
};

type Target =
  | { ok: true; endpoint: NotificationEndpoint & { shown: string }; dispatcher: Agent }
  | { ok: false; outcome: Outcome };

/**
 * An agent whose connections go to the address the guard vetted (never a second lookup's).
 * `sslVerify` false (Anchore's `ssl_verify: false`) accepts any certificate.
 */
function pinnedAgent(pinned: { address: string; family: 4 | 6 } | undefined, sslVerify: boolean): Agent {
  return new Agent({
    connect: {
      rejectUnauthorized: sslVerify,
      lookup: (_host, options, callback) => {
        if (!pinned) return callback(new Error('no vetted address'), '', 4);
        if ((options as { all?: boolean }).all)
          return (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
            pinned,
          ]);
        return callback(null, pinned.address, pinned.family);
      },
    },
  });
}

// Certificate errors a receiver with a private CA or a self-signed certificate causes.
const TLS_HINTS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TLS_HINT = ": the receiver's certificate is not trusted (ssl_verify false skips the check)";

/**
 * Why an answer that is not 2xx failed, for the delivery attempts: `HTTP <status>` first (what
 * operators grep for), then what to do about a refused login or a redirect.
 */
function refusal(
  status: number,
  location: string | null,
  endpoint: NotificationEndpoint & { shown: string },
): string {
  if (status === 401)
    return endpoint.basicAuth
      ? `HTTP 401: the receiver refused webhook_user ${JSON.stringify(endpoint.basicAuth.user)} and its password`
      : 'HTTP 401: the receiver wants credentials (set webhook_user and webhook_pass)';
  if (status >= 300 && status < 400) {
    let target = '';
    try {
      // Only the origin: the rest of a Location may carry a token.
      if (location) target = ` to ${new URL(location, endpoint.url).origin}`;
    } catch {
      target = '';
    }
    return `HTTP ${status}: redirect${target} not followed (configure the final URL)`;
  }
  return `HTTP ${status}`;
}

export class StreamSender {
  private readonly targets = new Map<string, Promise<Target>>();

  constructor(private readonly deps: DeliveryDeps) {}

  private async target(accountName: string, type: NotificationType): Promise<Target> {
    const found = await new NotificationEndpoints(this.deps.db, this.deps.box).endpointFor(accountName, type);
    if (!found)
      return { ok: false, outcome: { ok: false, status: null, error: 'no endpoint configured', url: '' } };
    // Anchore's `<notification_type>` and `<userId>` in the URL name the receiver's route.
    const endpoint = { ...found, url: expandWebhookUrl(found.url, { type, accountName }) };
    try {
      const vetted = await this.deps.guard.vet(endpoint.url);
      // The URL's host still names the server for TLS (SNI, certificate) and the Host header.
      return { ok: true, endpoint, dispatcher: pinnedAgent(vetted.addresses[0], found.sslVerify !== false) };
    } catch (error) {
      const message = (error as Error).message.split(endpoint.url).join(endpoint.shown);
      return { ok: false, outcome: { ok: false, status: null, error: message, url: endpoint.shown } };
    }
  }

  async post(row: OutboxRow): Promise<Outcome> {
    const key = `${row.accountName}\0${row.type}`;
    let found = this.targets.get(key);
    if (!found) this.targets.set(key, (found = this.target(row.accountName, row.type)));
    const target = await found;
    if (!target.ok) return target.outcome;
    const { endpoint, dispatcher } = target;
    // Attempts record the shortened URL: a Slack URL is a credential.
    const url = endpoint.shown;
    const body = JSON.stringify(
      endpoint.sink === 'slack'
        ? slackMessage(
            row.type,
            row.payload.notification_payload as Record<string, unknown>,
            this.deps.options.linkBase,
          )
        : anchoreEnvelope({
            id: row.id,
            type: row.type,
            accountName: row.accountName,
            data: row.payload,
            createdAt: row.createdAt,
            deadline: row.deadline,
            attempt: row.attempts,
          }),
    );
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (endpoint.sink === 'webhook') {
      Object.assign(headers, signWebhook(endpoint.secret, row.id, Math.floor(Date.now() / 1000), body));
      if (endpoint.basicAuth) headers.authorization = basicAuthorization(endpoint.basicAuth);
    }
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual', // a redirect could lead past the SSRF guard
        signal: AbortSignal.timeout(this.deps.options.timeoutMs),
        dispatcher,
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, url };
      const error = refusal(response.status, response.headers.get('location'), endpoint);
      return { ok: false, status: response.status, error, url };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const message = cause ? `${cause}${TLS_HINTS.has(cause) ? TLS_HINT : ''}` : (error as Error).message;
      return { ok: false, status: null, error: message.split(endpoint.url).join(url), url };
    }
  }

  /** Closes the run's connections. */
  async close(): Promise<void> {
    for (const found of this.targets.values()) {
      const target = await found.catch(() => undefined);
      if (target?.ok) void target.dispatcher.close();
    }
    this.targets.clear();
  }
}
