/**
 * The notification options of `serve`, end to end on both stores: the webhook allow-list reaches
 * the API's and the worker's SSRF guards, the service refuses itself by address and port, Slack
 * messages link to --public-url, and --notification-deadline bounds the retries.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, stopSharedPostgres } from '../../test/harness/databases.js';
import { NotificationOutbox } from '../notifications/outbox.js';
import { eventually, TestReceiver } from '../notifications/test-support/receiver.js';
import { ServiceUnderTest } from './test-support/service-under-test.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-serve-notify-'));
});
afterAll(async () => {
  await stopSharedPostgres();
  await rm(work, { recursive: true, force: true });
});

describe.each(STORE_KINDS)('serve notification options on %s', (kind) => {
  let service: ServiceUnderTest;
  let receiver: TestReceiver;
  beforeAll(async () => {
    service = new ServiceUnderTest(kind, work);
    receiver = await TestReceiver.create();
  });
  afterAll(async () => {
    await service.stop();
    await receiver.stopListening();
  });

  it('refuses a loopback receiver by default and accepts it when its CIDR is allowed; never metadata or itself', async () => {
    await service.start({});
    const put = (url: string, sink = 'webhook') =>
      service.api('PUT', '/system/webhooks/general', { url, sink });
    expect((await put(receiver.url)).status).toBe(400);
    expect((await put('http://10.1.2.3/hook')).status).toBe(400);
    await service.stop();

    await service.start({ webhookAllowCidrs: ['127.0.0.0/8,10.0.0.0/8', '0.0.0.0/0'] });
    expect((await put(receiver.url)).status).toBe(200);
    expect((await put('http://10.1.2.3/hook')).status).toBe(200);
    const metadata = await put('http://169.254.169.254/latest/meta-data/');
    expect(metadata.status).toBe(400);
    expect(JSON.stringify(metadata.json)).toMatch(/link-local/);
    // The service itself under another name: refused by address and port, not by origin text.
    const port = new URL(service.url).port;
    const self = await put(`http://localhost:${port}/v1/events`);
    expect(self.status).toBe(400);
    expect(JSON.stringify(self.json)).toMatch(/this service/);
    await service.stop();
  });

  it('delivers through the worker to an allowed receiver; Slack messages link to --public-url', async () => {
    await service.start({
      webhookAllowCidrs: ['127.0.0.0/8'],
      publicUrl: 'https://portcullis.example.org/v1',
    });
    await receiver.setMode('accept');
    expect(
      (await service.api('PUT', '/system/webhooks/general', { url: receiver.url, sink: 'slack' })).status,
    ).toBe(200);
    const sent = await service.api('POST', '/system/webhooks/policy_eval/test');
    expect(sent.status).toBe(200);
    await eventually(() => receiver.accepted.length > 0, 'the Slack message');
    const body = JSON.parse(receiver.accepted.at(-1)!.body) as { blocks: unknown[] };
    expect(JSON.stringify(body.blocks)).toContain(
      `<https://portcullis.example.org/v1/images/sha256:${'0'.repeat(64)}|Open in Portcullis>`,
    );
    // The public URL is the service too.
    const self = await service.api('PUT', '/system/webhooks/general', {
      url: 'https://portcullis.example.org/v1/events',
    });
    expect(self.status).toBe(400);
    await service.stop();
  });

  it('gives a failing notification up at --notification-deadline, with its attempts recorded', async () => {
    await receiver.setMode('error');
    const requests = receiver.requests;
    await service.start({ webhookAllowCidrs: ['127.0.0.0/8'], notificationDeadline: '2s' });
    expect(
      (await service.api('PUT', '/system/webhooks/general', { url: receiver.url, sink: 'webhook' })).status,
    ).toBe(200);
    const sent = await service.api('POST', '/system/webhooks/tag_update/test');
    const id = (sent.json as { notification_id: string }).notification_id;
    await eventually(() => receiver.requests > requests, 'a failed attempt');
    let state: string | undefined;
    for (let i = 0; i < 40 && state !== 'expired'; i++) {
      await service.stop();
      state = await service.withStore(
        async (_store, db) => (await new NotificationOutbox(db).get('admin', id))?.state,
      );
      if (state !== 'expired') {
        await new Promise((r) => setTimeout(r, 250));
        await service.start({ webhookAllowCidrs: ['127.0.0.0/8'], notificationDeadline: '2s' });
      }
    }
    expect(state).toBe('expired');
    const attempts = await service.withStore(async (_store, db) => new NotificationOutbox(db).attempts(id));
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts[0]).toMatchObject({ status: 500 });
  });
});
