/**
 * Event-log forwarding on both stores: the account's `event_log` webhook (a real HTTP receiver
 * on 127.0.0.1) receives its events at or above the configured level as signed deliveries
 * through the outbox, in Anchore's event shape; lower levels, other accounts' events and the
 * `general` endpoint stay out of it.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../test/harness/databases.js';
import type { EventInput } from '../store/repositories/events.js';
import type { EventType } from '../store/repositories/event-types.js';
import { deliverNotificationJob } from '../worker/jobs/deliver-notification.js';
import { WorkerRunner } from '../worker/runner.js';
import { Notifier } from './notify.js';
import { UrlGuard } from './ssrf.js';
import { eventually, TestReceiver, verifyStandardWebhook, type Received } from './test-support/receiver.js';

afterAll(() => stopSharedPostgres());

const event = (accountName: string, level: 'info' | 'error', type: EventType): EventInput => ({
  accountName,
  type,
  level,
  message: `${type} happened`,
  details: { n: 1 },
  resourceType: 'image_digest',
  resourceId: `sha256:${'a'.repeat(64)}`,
  sourceService: 'analyzer',
  sourceHost: 'test-host',
});

interface Envelope {
  queueId: string;
  userId: string;
  data: {
    notification_type: string;
    notification_payload: { subscription_key: string; event: Record<string, unknown> };
  };
}

describe.each(STORE_KINDS)('event_log forwarding on %s', (kind) => {
  let api: ApiHarness;
  let receiver: TestReceiver;
  let general: TestReceiver;
  let runner: WorkerRunner;
  let notifier: Notifier;
  let secret: string;

  const bodies = (received: Received[]) => received.map((r) => JSON.parse(r.body) as Envelope);
  const put = (type: string, payload: Record<string, unknown>) =>
    api.call('alice', { method: 'PUT', url: `/v1/system/webhooks/${type}`, payload });

  beforeAll(async () => {
    api = await startApi(kind);
    notifier = new Notifier(api.store.db, api.queue);
    receiver = await TestReceiver.create();
    general = await TestReceiver.create();
    await receiver.setMode('accept');
    await general.setMode('accept');
    runner = new WorkerRunner(
      api.queue,
      [
        deliverNotificationJob({
          store: api.store,
          notifications: {
            queue: api.queue,
            guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }),
          },
        }),
      ],
      { owner: 'test', concurrency: 1, pollMs: 20, drainTimeoutMs: 2_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await receiver.stopListening();
    await general.stopListening();
    await api.close();
  });

  it('forwards events at or above the level, signed, in Anchore event shape', async () => {
    expect((await put('general', { url: general.url })).statusCode).toBe(200);
    const configured = await put('event_log', { url: receiver.url });
    expect(configured.statusCode).toBe(200);
    expect(configured.json()).toMatchObject({ webhook_type: 'event_log', level: 'error' });
    secret = (configured.json() as { secret: string }).secret;

    await notifier.recordEvent(event('team-a', 'info', 'user.image.analysis.completed'));
    const failed = await notifier.recordEvent(event('team-a', 'error', 'user.image.analysis.failed'));
    await notifier.recordEvent(event('team-b', 'error', 'user.image.analysis.failed'));
    await eventually(async () => receiver.accepted.length >= 1, 'the error event', 30_000);
    expect(receiver.accepted).toHaveLength(1);
    expect(verifyStandardWebhook(secret, receiver.accepted[0]!)).toBe(true);
    const [body] = bodies(receiver.accepted);
    expect(body).toMatchObject({
      queueId: 'event_log',
      userId: 'team-a',
      data: {
        notification_type: 'event_log',
        notification_payload: {
          subscription_key: 'error',
          event: {
            type: 'user.image.analysis.failed',
            level: 'error',
            message: 'user.image.analysis.failed happened',
            details: { n: 1 },
            timestamp: failed.createdAt.toISOString(),
            category: 'user',
            resource: { user_id: 'team-a', type: 'image_digest', id: `sha256:${'a'.repeat(64)}` },
            source: { servicename: 'analyzer', hostid: 'test-host' },
            generated_uuid: failed.id,
          },
        },
      },
    });
    // Every event is still in the account's log, forwarded or not.
    expect((await api.store.events.page('team-a', {}, 1, 10)).events).toHaveLength(2);
  });

  it('forwards info too once the level is lowered, and the listing shows the level', async () => {
    const lowered = await put('event_log', { url: receiver.url, level: 'info' });
    expect(lowered.statusCode).toBe(200);
    secret = (lowered.json() as { secret: string }).secret; // a new secret on every change
    const listed = await api.call('alice', { method: 'GET', url: '/v1/system/webhooks' });
    expect(listed.json()).toContainEqual(
      expect.objectContaining({ webhook_type: 'event_log', level: 'info' }),
    );
    const before = receiver.accepted.length;
    await notifier.recordEvent(event('team-a', 'info', 'user.checks.tag.vulnerabilities.update'));
    await eventually(async () => receiver.accepted.length > before, 'the info event', 30_000);
    expect(verifyStandardWebhook(secret, receiver.accepted.at(-1)!)).toBe(true);
    expect(
      bodies(receiver.accepted.slice(before)).map((b) => b.data.notification_payload.event.type),
    ).toEqual(['user.checks.tag.vulnerabilities.update']);
    expect((await put('general', { url: general.url, level: 'info' })).statusCode).toBe(400);
  });

  it('sends a sample event_log and never sends events to the general endpoint', async () => {
    const test = await api.call('alice', { method: 'POST', url: '/v1/system/webhooks/event_log/test' });
    expect(test.statusCode).toBe(200);
    const before = receiver.accepted.length;
    await eventually(async () => receiver.accepted.length > before, 'the sample', 30_000);
    expect(verifyStandardWebhook(secret, receiver.accepted.at(-1)!)).toBe(true);
    expect(bodies(receiver.accepted.slice(-1))[0]?.data.notification_payload.event).toMatchObject({
      type: 'user.image.analysis.failed',
    });
    expect(bodies(general.accepted).filter((b) => b.queueId === 'event_log')).toEqual([]);
    await api.call('alice', { method: 'DELETE', url: '/v1/system/webhooks/event_log' });
    await notifier.recordEvent(event('team-a', 'error', 'user.image.analysis.failed'));
    const { rows } = await api.store.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM notification WHERE notification_type = 'event_log' AND account_name = 'team-b'",
    );
    expect(Number(rows[0]?.n)).toBe(0);
    expect(bodies(general.accepted).filter((b) => b.queueId === 'event_log')).toEqual([]);
  });
});
