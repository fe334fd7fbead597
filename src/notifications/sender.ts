/**
 * Posts the notifications of one stream run (deliver.ts): the endpoint is read and opened, and
 * its URL vetted by the SSRF guard, once per run rather than once per notification, and the
 * posts share one kept-alive connection pinned to the vetted address. A run is short (it ends
 * at the first failure or when the stream is empty), so an endpoint changed meanwhile is used
 * from the next run on.
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

export type Outcome = ({ ok: true; status: number } | { ok: false; status: number | null; error: string }) & {
  url: string;
};

type Target =
  | { ok: true; endpoint: NotificationEndpoint & { shown: string }; dispatcher: Agent }
  | { ok: false; outcome: Outcome };

/** An agent whose connections go to the address the guard vetted (never a second lookup's). */
function pinnedAgent(pinned: { address: string; family: 4 | 6 } | undefined): Agent {
  return new Agent({
    connect: {
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
      return { ok: true, endpoint, dispatcher: pinnedAgent(vetted.addresses[0]) };
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
      return { ok: false, status: response.status, error: `HTTP ${response.status}`, url };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const message = cause ?? (error as Error).message;
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
