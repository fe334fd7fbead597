/**
 * `PUT /v1/system/webhooks/{type}` with Anchore's `webhook_user`, `webhook_pass` and
 * `ssl_verify`: precise 400s at the edge, the password in no answer, no log line and no row in
 * clear, and `POST .../test` delivering with the credentials to a receiver that checks them.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { NotificationOutbox } from '../../notifications/outbox.js';
import {
  basicAuthOf,
  eventually,
  TestReceiver,
  verifyStandardWebhook,
} from '../../notifications/test-support/receiver.js';
import type { WorkerRunner } from '../../worker/runner.js';
import { startDeliveryRunner } from '../../notifications/test-support/delivery-runner.js';

afterAll(() => stopSharedPostgres());

const PASSWORD = 'Pa55-for-the-anchore-receiver';
const ENCODED = Buffer.from(`anchore:${PASSWORD}`).toString('base64');

describe.each(STORE_KINDS)('webhook credentials through the API on %s', (kind) => {
  let api: ApiHarness;
  let receiver: TestReceiver;
  let runner: WorkerRunner;
  /** Every line the API logged, at every level, without any redaction. */
  const logged: string[] = [];
  /** Every answer body the tests got. */
  const answered: string[] = [];

  const call = async (...args: Parameters<ApiHarness['call']>) => {
    const res = await api.call(...args);
    answered.push(res.body);
    return res;
  };
  const put = (type: string, payload: Record<string, unknown>) =>
    call('alice', { method: 'PUT', url: `/v1/system/webhooks/${type}`, payload });

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString('utf8'));
        done();
      },
    });
    api = await startApi(kind, undefined, { logger: pino({ level: 'trace' }, sink) });
    receiver = await TestReceiver.create();
    receiver.requireBasicAuth('anchore', PASSWORD);
    await receiver.setMode('accept');
    runner = startDeliveryRunner(api.store, api.queue);
  });
  afterAll(async () => {
    await runner.stop();
    await receiver.stopListening();
    await api.close();
  });

  it.each([
    ['a user without a password', { webhook_user: 'anchore' }, 'webhook_user needs webhook_pass'],
    ['a password without a user', { webhook_pass: PASSWORD }, 'webhook_pass needs webhook_user'],
    [
      'credentials on a Slack sink',
      { sink: 'slack', webhook_user: 'anchore', webhook_pass: PASSWORD },
      'webhook_user and webhook_pass apply to sink webhook only',
    ],
    [
      "a ':' in the user",
      { webhook_user: 'anchore:admin', webhook_pass: PASSWORD },
      "/webhook_user must not contain ':' (basic auth separates user and password with it)",
    ],
    [
      'a control character in the user',
      { webhook_user: 'anch\u0007ore', webhook_pass: PASSWORD },
      '/webhook_user must not contain control characters',
    ],
    [
      'a header injected through the password',
      { webhook_user: 'anchore', webhook_pass: `${PASSWORD}\r\nX-Injected: 1` },
      '/webhook_pass must not contain control characters',
    ],
    [
      'half a surrogate pair in the password',
      { webhook_user: 'anchore', webhook_pass: `${PASSWORD}\ud800` },
      '/webhook_pass must not contain control characters or unpaired surrogates',
    ],
    ['an empty user', { webhook_user: '', webhook_pass: PASSWORD }, '/webhook_user must not be empty'],
    ['an empty password', { webhook_user: 'anchore', webhook_pass: '' }, '/webhook_pass must not be empty'],
    ['ssl_verify as a string', { ssl_verify: 'false' }, '/ssl_verify'],
  ])('refuses %s with a 400 that names the field and not the password', async (_what, fields, message) => {
    const res = await put('general', { url: receiver.url, ...fields });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ httpcode: 400, message: expect.stringContaining(message) });
    expect(res.body).not.toContain(PASSWORD);
  });

  it('refuses credentials inside the URL without answering them', async () => {
    const url = `http://anchore:${PASSWORD}@127.0.0.1:${receiver.port}/hook`;
    const res = await put('general', { url });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      message: expect.stringContaining('credentials in the URL (give them as webhook_user and webhook_pass)'),
    });
    expect(res.body).not.toContain(PASSWORD);
    expect((await call('alice', { method: 'GET', url: '/v1/system/webhooks' })).json()).toEqual([]);
  });

  it('keeps the password out of every answer, row and log line, and the test route delivers with it', async () => {
    const configured = await put('general', {
      url: receiver.url,
      webhook_user: 'anchore',
      webhook_pass: PASSWORD,
      ssl_verify: false,
    });
    expect(configured.statusCode).toBe(200);
    const { secret } = configured.json() as { secret: string };
    const shown = {
      webhook_type: 'general',
      sink: 'webhook',
      url: receiver.url,
      webhook_user: 'anchore',
      ssl_verify: false,
    };
    expect(configured.json()).toEqual({ ...shown, secret });
    expect((await call('alice', { method: 'GET', url: '/v1/system/webhooks' })).json()).toEqual([shown]);

    const tested = await call('alice', { method: 'POST', url: '/v1/system/webhooks/policy_eval/test' });
    expect(tested.statusCode).toBe(200);
    const { notification_id: id } = tested.json() as { notification_id: string };
    await eventually(
      () => receiver.accepted.some((r) => r.headers['webhook-id'] === id),
      'the test delivery',
    );
    const delivered = receiver.accepted.find((r) => r.headers['webhook-id'] === id)!;
    expect(basicAuthOf(delivered)).toBe(`anchore:${PASSWORD}`);
    expect(verifyStandardWebhook(secret, delivered)).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({ queueId: 'policy_eval', dataId: id });

    // Re-configured without credentials (a PUT replaces the endpoint): the receiver says 401.
    expect((await put('general', { url: receiver.url })).json()).toEqual({
      webhook_type: 'general',
      sink: 'webhook',
      url: receiver.url,
      ssl_verify: true,
      secret: expect.any(String),
    });
    const retest = await call('alice', { method: 'POST', url: '/v1/system/webhooks/vuln_update/test' });
    const retestId = (retest.json() as { notification_id: string }).notification_id;
    await eventually(
      async () =>
        (await new NotificationOutbox(api.store.db).attempts(retestId)).some(
          (a) => a.status === 401 && a.error?.includes('set webhook_user and webhook_pass') === true,
        ),
      'the attempt refused for missing credentials',
    );
    await call('alice', { method: 'GET', url: '/v1/events' });
    await call('alice', { method: 'DELETE', url: '/v1/system/webhooks/general' });

    const { rows } = await api.store.db.query<{ t: string }>(
      `SELECT row_to_json(e)::text AS t FROM notification_endpoint e
       UNION ALL SELECT row_to_json(a)::text FROM notification_attempt a
       UNION ALL SELECT row_to_json(n)::text FROM notification n
       UNION ALL SELECT row_to_json(v)::text FROM event v`,
    );
    for (const text of [answered.join('\n'), logged.join(''), rows.map((r) => r.t).join('\n')]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(ENCODED);
    }
    // The log did record the requests (so the check above looked at something).
    expect(logged.join('')).toContain('/v1/system/webhooks/general');
  });
});
