/**
 * Basic auth and TLS verification of webhook deliveries against real receivers on 127.0.0.1,
 * on both stores: a receiver set up for Anchore Engine answers 401 without the right
 * credentials (the notification is retried and each attempt says why), takes the delivery
 * with them, and a redirect never carries them to another host.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { makeTestPki } from '../../test/harness/registry/certs.js';
import { JobQueue } from '../queue/queue.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import type { WorkerRunner } from '../worker/runner.js';
import { NotificationEndpoints, type NotificationEndpoint } from './endpoints.js';
import { Notifier } from './notify.js';
import { NotificationOutbox } from './outbox.js';
import type { TypePayload } from './payloads.js';
import { newWebhookSecret } from './sign.js';
import { startDeliveryRunner } from './test-support/delivery-runner.js';
import { basicAuthOf, eventually, TestReceiver, verifyStandardWebhook } from './test-support/receiver.js';
import type { NotificationType } from './types.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'b'.repeat(64)}`;
const PASSWORD = 'correct horse battery staple';
const WRONG = 'tr0ub4dor&3';

/** A sample of each type, as the test-send route queues them. */
function sample(type: NotificationType): TypePayload {
  const analysis = (analysis_status: string) => ({ analysis_status, image_digest: DIGEST, annotations: {} });
  switch (type) {
    case 'tag_update':
      return { type, currentDigests: [DIGEST], lastDigests: [] };
    case 'analysis_update':
      return { type, current: analysis('analyzed'), last: analysis('analyzing') };
    case 'vuln_update':
      return { type, imageDigest: DIGEST, diff: { added: [], updated: [], removed: [] } };
    default:
      throw new Error(`no sample for ${type}`);
  }
}

describe.each(STORE_KINDS)('webhook basic auth and TLS verification on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let endpoints: NotificationEndpoints;
  let notifier: Notifier;
  let runner: WorkerRunner;
  const receivers: TestReceiver[] = [];
  const secret = newWebhookSecret();

  const receiver = async (options: Parameters<typeof TestReceiver.create>[0] = {}) => {
    const made = await TestReceiver.create(options);
    receivers.push(made);
    await made.setMode('accept');
    return made;
  };
  const configure = (
    type: NotificationEndpoint['type'],
    url: string,
    extra: Partial<NotificationEndpoint> = {},
  ) => endpoints.set({ accountName: 'team-a', type, sink: 'webhook', url, secret, ...extra });
  const errors = async (id: string) =>
    (await new NotificationOutbox(database.db).attempts(id)).map((a) => a.error ?? '');
  const send = async (type: NotificationType) =>
    (await notifier.notify('team-a', 'registry.example/app:1', sample(type), { test: true }))!;

  /** Every row a delivery may write, as someone reading the database would see it. */
  const rawRows = async () => {
    const { rows } = await database.db.query<{ t: string }>(
      `SELECT row_to_json(e)::text AS t FROM notification_endpoint e
       UNION ALL SELECT row_to_json(a)::text FROM notification_attempt a
       UNION ALL SELECT row_to_json(n)::text FROM notification n
       UNION ALL SELECT row_to_json(v)::text FROM event v`,
    );
    return rows.map((r) => r.t).join('\n');
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    endpoints = new NotificationEndpoints(database.db, store.box);
    const queue = new JobQueue(database.db);
    notifier = new Notifier(database.db, queue);
    await store.accounts.create({ name: 'team-a', type: 'user' });
    runner = startDeliveryRunner(store, queue, { retryBaseMs: 20, retryMaxMs: 200, timeoutMs: 2_000 }, 2);
  });
  afterAll(async () => {
    await runner.stop();
    for (const r of receivers) await r.stopListening();
    await database.stop();
  });

  it('is retried with a clear error while the receiver answers 401, and delivered signed once the credentials are right', async () => {
    const anchoreReceiver = await receiver();
    anchoreReceiver.requireBasicAuth('anchore', PASSWORD);
    await configure('general', anchoreReceiver.url);
    const id = await send('vuln_update');
    await eventually(
      async () =>
        (await errors(id)).filter((e) => e.includes('HTTP 401: the receiver wants credentials')).length >= 2,
      'two attempts refused for missing credentials (the notification is retried)',
    );
    await configure('general', anchoreReceiver.url, { basicAuth: { user: 'anchore', password: WRONG } });
    await eventually(
      async () =>
        (await errors(id)).includes('HTTP 401: the receiver refused webhook_user "anchore" and its password'),
      'an attempt refused for the wrong password',
    );
    // Waiting for its next try, or in it (a run may have claimed it meanwhile).
    expect(['pending', 'sending']).toContain(
      (await new NotificationOutbox(database.db).get('team-a', id))?.state,
    );
    expect(anchoreReceiver.accepted).toEqual([]);

    await configure('general', anchoreReceiver.url, { basicAuth: { user: 'anchore', password: PASSWORD } });
    await eventually(
      () => anchoreReceiver.accepted.some((r) => r.headers['webhook-id'] === id),
      'the delivery with the right credentials',
    );
    const delivered = anchoreReceiver.accepted.find((r) => r.headers['webhook-id'] === id)!;
    expect(basicAuthOf(delivered)).toBe(`anchore:${PASSWORD}`);
    // Basic auth comes alongside the Standard Webhooks signature, not instead of it.
    expect(verifyStandardWebhook(secret, delivered)).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({ dataId: id, queueId: 'vuln_update' });
    const wrong = anchoreReceiver.unauthorized.filter((r) => r.headers.authorization !== undefined);
    expect(wrong.map(basicAuthOf)).toContain(`anchore:${WRONG}`);
    await eventually(
      async () => (await new NotificationOutbox(database.db).get('team-a', id))?.state === 'delivered',
      'the notification recorded as delivered',
    );
    const raw = await rawRows();
    expect(raw).not.toContain(PASSWORD);
    expect(raw).not.toContain(WRONG);
    expect(raw).not.toContain(Buffer.from(`anchore:${PASSWORD}`).toString('base64'));
    await endpoints.delete('team-a', 'general');
  });

  it("sends a per-type endpoint's credentials, and the general endpoint's to the other types", async () => {
    const general = await receiver();
    general.requireBasicAuth('general-user', 'general-pw');
    const perType = await receiver();
    perType.requireBasicAuth('tags-user', 'tags-pw');
    await configure('general', general.url, { basicAuth: { user: 'general-user', password: 'general-pw' } });
    await configure('tag_update', perType.url, { basicAuth: { user: 'tags-user', password: 'tags-pw' } });
    const tags = await send('tag_update');
    const analysis = await send('analysis_update');
    await eventually(
      () =>
        perType.accepted.some((r) => r.headers['webhook-id'] === tags) &&
        general.accepted.some((r) => r.headers['webhook-id'] === analysis),
      'both deliveries',
    );
    const byId = (r: TestReceiver, id: string) => r.accepted.filter((a) => a.headers['webhook-id'] === id);
    expect(byId(perType, tags).map(basicAuthOf)).toEqual(['tags-user:tags-pw']);
    expect(byId(general, analysis).map(basicAuthOf)).toEqual(['general-user:general-pw']);
    expect(byId(general, tags)).toEqual([]);
    expect([...general.unauthorized, ...perType.unauthorized]).toEqual([]);
    for (const type of ['general', 'tag_update'] as const) await endpoints.delete('team-a', type);
  });

  it('does not follow a redirect, so the credentials never reach the other host', async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver();
    redirecting.redirectsTo(`${elsewhere.url}/collect?token=abc`);
    await redirecting.setMode('redirect');
    await configure('analysis_update', redirecting.url, {
      basicAuth: { user: 'anchore', password: PASSWORD },
    });
    // A deadline the first attempt surely falls within on a busy machine (1 s let the notification
    // expire before any attempt, and the redirect was never recorded), short enough to wait out.
    const id = await new Notifier(database.db, new JobQueue(database.db), { deadlineMs: 5_000 }).notify(
      'team-a',
      'registry.example/app:1',
      sample('analysis_update'),
      { test: true },
    );
    const origin = new URL(elsewhere.url).origin;
    await eventually(
      async () =>
        (await errors(id!)).includes(
          `HTTP 307: redirect to ${origin} not followed (configure the final URL)`,
        ),
      'the redirect recorded as a failed attempt',
    );
    expect(elsewhere.requests).toBe(0);
    expect(redirecting.requests).toBeGreaterThan(0);
    await eventually(
      async () => (await new NotificationOutbox(database.db).get('team-a', id!))?.state === 'expired',
      'the redirected notification given up at its deadline',
    );
    await endpoints.delete('team-a', 'analysis_update');
  });

  it('verifies the receiver certificate unless ssl_verify is false', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pc-hook-tls-'));
    try {
      const pki = await makeTestPki(dir);
      const https = await receiver({
        tls: {
          cert: await readFile(pki.serverCertFile, 'utf8'),
          key: await readFile(pki.serverKeyFile, 'utf8'),
        },
      });
      https.requireBasicAuth('anchore', PASSWORD);
      const basicAuth = { user: 'anchore', password: PASSWORD };
      await configure('tag_update', https.url, { basicAuth });
      const id = await send('tag_update');
      await eventually(
        async () =>
          (await errors(id)).some((e) => e.includes('not trusted (ssl_verify false skips the check)')),
        'an attempt refused for the untrusted certificate',
      );
      expect(https.requests).toBe(0);
      await configure('tag_update', https.url, { basicAuth, sslVerify: false });
      await eventually(() => https.accepted.some((r) => r.headers['webhook-id'] === id), 'the TLS delivery');
      expect(basicAuthOf(https.accepted[0]!)).toBe(`anchore:${PASSWORD}`);
      await endpoints.delete('team-a', 'tag_update');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
