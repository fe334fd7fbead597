/**
 * Webhook endpoints of the caller's account: a `general` URL and per-type URLs (the per-type one
 * wins), each a signed webhook or a Slack incoming webhook. A URL is checked by the SSRF guard
 * when configured and again at each delivery. URL and secret are sealed at rest; answers show
 * the URL shortened and the signing secret only once, when it is made. A webhook endpoint may
 * carry Anchore's `webhook_user`/`webhook_pass` (sent as basic auth; the password is sealed and
 * never answered) and `ssl_verify`. `POST .../test` queues a sample notification, delivered
 * like any other (credentials included).
 */
import { z } from 'zod';
import { advisoryUrl } from '../../core/report/advisory-links.js';
import { toRow } from '../../notifications/diff.js';
import { NotificationEndpoints } from '../../notifications/endpoints.js';
import { Notifier } from '../../notifications/notify.js';
import { EVENT_LEVELS } from '../../notifications/event-log.js';
import { newWebhookSecret } from '../../notifications/sign.js';
import { UrlGuard } from '../../notifications/ssrf.js';
import { ENDPOINT_TYPES, type NotificationType } from '../../notifications/types.js';
import { ApiError, notFound } from '../errors.js';
import type { RouteDeps, V1 } from './index.js';
import type { TypePayload } from '../../notifications/payloads.js';
import {
  webhookAuthProblem,
  webhookPassSchema,
  webhookUserSchema,
} from '../../notifications/webhook-auth.js';
import type { ShownEndpoint } from '../../notifications/endpoints.js';

const SAMPLE_DIGEST = `sha256:${'0'.repeat(64)}`;
const SAMPLE_TAG = 'docker.io/library/sample:latest';

/** A made-up finding's row, as a real `vuln_update` lists it. */
function sampleRow() {
  return {
    ...toRow({
      id: 'CVE-0000-0000',
      aliases: [],
      package: {
        id: 'sample@1.0',
        name: 'sample',
        version: '1.0',
        type: 'deb',
        purl: 'pkg:deb/debian/sample@1.0',
      },
      fixState: 'fixed',
      fixedVersions: ['1.1'],
      severity: 'High',
      severities: [],
      cvss: [],
      origin: 'app',
      confidence: 1,
      evidence: [],
    }),
    feed_group: 'debian:12',
    url: advisoryUrl('CVE-0000-0000'),
  };
}

function sample(type: NotificationType): TypePayload {
  const evaluation = (status: 'pass' | 'fail') => ({
    image_digest: SAMPLE_DIGEST,
    status,
    final_action: status === 'pass' ? 'go' : 'stop',
    policy_id: 'sample',
    evaluated_at: new Date().toISOString(),
  });
  const analysis = (analysis_status: string) => ({
    analysis_status,
    image_digest: SAMPLE_DIGEST,
    annotations: {},
  });
  switch (type) {
    case 'tag_update':
      return { type, currentDigests: [SAMPLE_DIGEST], lastDigests: [`sha256:${'1'.repeat(64)}`] };
    case 'analysis_update':
      return { type, current: analysis('analyzed'), last: analysis('analyzing') };
    case 'policy_eval':
      return { type, current: evaluation('fail'), last: evaluation('pass') };
    case 'vuln_update':
      return {
        type,
        imageDigest: SAMPLE_DIGEST,
        diff: { added: [sampleRow()], updated: [], removed: [] },
      };
    case 'event_log':
      return {
        type,
        event: {
          type: 'user.image.analysis.failed',
          level: 'error',
          message: 'Image analysis failed: sample',
          details: {},
          timestamp: new Date().toISOString(),
          category: 'user',
          resource: { user_id: 'sample', type: 'image_digest', id: SAMPLE_DIGEST },
          source: { servicename: 'analyzer', hostid: 'sample', base_url: null, request_id: null },
        },
      };
  }
}

/** An endpoint as answers show it: the URL shortened, the user but never the password. */
const shownBody = (e: ShownEndpoint) => ({
  webhook_type: e.type,
  sink: e.sink,
  url: e.url,
  ...(e.minLevel ? { level: e.minLevel } : {}),
  ...(e.webhookUser !== undefined ? { webhook_user: e.webhookUser } : {}),
  ssl_verify: e.sslVerify,
});

const typeParams = z.object({ type: z.enum(ENDPOINT_TYPES) });

/**
 * Slack's incoming webhooks refuse any body but a Slack message, so an Anchore envelope sent
 * there would be retried until its deadline: such URLs get the Slack sink unless told otherwise.
 */
export function sinkFor(url: string): 'webhook' | 'slack' {
  return new URL(url).hostname.toLowerCase() === 'hooks.slack.com' ? 'slack' : 'webhook';
}

export function webhookRoutes(app: V1, deps: RouteDeps): void {
  const guard = deps.webhookGuard ?? new UrlGuard({ allowCidrs: [], selfOrigins: [deps.baseUrl] });
  const endpoints = new NotificationEndpoints(deps.store.db, deps.store.box);
  const notifier = deps.notifier ?? new Notifier(deps.store.db, deps.queue);

  app.get('/system/webhooks', async (request) => (await endpoints.list(request.accountName)).map(shownBody));

  app.put(
    '/system/webhooks/:type',
    {
      schema: {
        params: typeParams,
        body: z.object({
          url: z.string().min(1).max(2048),
          /** Default: `slack` for Slack's incoming-webhook host, else `webhook`. */
          sink: z.enum(['webhook', 'slack']).optional(),
          /** event_log only: events at or above this level are forwarded (default error). */
          level: z.enum(EVENT_LEVELS).optional(),
          /** Anchore's per-hook basic auth: both or neither, sink webhook only. */
          webhook_user: webhookUserSchema
            .optional()
            .describe('HTTP basic auth user sent with each delivery (needs webhook_pass; sink webhook only)'),
          webhook_pass: webhookPassSchema
            .optional()
            .describe('HTTP basic auth password (needs webhook_user); stored encrypted, never answered'),
          /** Anchore's ssl_verify (default true): false accepts any certificate of the receiver. */
          ssl_verify: z.boolean().optional().describe("Verify the receiver's TLS certificate (default true)"),
        }),
      },
    },
    async (request) => {
      const { body } = request;
      const url = (await guard.check(body.url)).toString();
      const sink = body.sink ?? sinkFor(url);
      if (body.sink === 'webhook' && sinkFor(url) === 'slack')
        throw new ApiError(400, "Slack's incoming webhooks take only Slack messages: use sink slack");
      if (body.level && request.params.type !== 'event_log')
        throw new ApiError(400, 'level applies to the event_log webhook only');
      const problem = webhookAuthProblem({ user: body.webhook_user, password: body.webhook_pass, sink });
      if (problem) throw new ApiError(400, problem);
      // A new secret on every change; it is shown only in this answer.
      const secret = newWebhookSecret();
      const shown = await endpoints.set({
        accountName: request.accountName,
        type: request.params.type,
        sink,
        url,
        secret,
        minLevel: body.level,
        basicAuth:
          body.webhook_user !== undefined && body.webhook_pass !== undefined
            ? { user: body.webhook_user, password: body.webhook_pass }
            : undefined,
        sslVerify: body.ssl_verify,
      });
      // The URL comes back shortened, as listings show it: a Slack URL is a credential.
      return { ...shownBody(shown), secret };
    },
  );

  app.delete('/system/webhooks/:type', { schema: { params: typeParams } }, async (request, reply) => {
    if (!(await endpoints.delete(request.accountName, request.params.type))) throw notFound('webhook');
    return reply.status(200).send();
  });

  app.post('/system/webhooks/:type/test', { schema: { params: typeParams } }, async (request) => {
    const type = request.params.type === 'general' ? 'tag_update' : request.params.type;
    const key = type === 'event_log' ? 'error' : SAMPLE_TAG;
    const id = await notifier.notify(request.accountName, key, sample(type), { test: true });
    if (!id) throw new ApiError(404, `no webhook configured for ${request.params.type}`);
    return { notification_id: id, notification_type: type };
  });
}
