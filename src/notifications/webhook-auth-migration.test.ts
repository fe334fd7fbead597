/**
 * Migration 41 on both stores: endpoints stored before it (sealed as migration 21 left them,
 * and one still in clear from before 21) keep delivering afterwards, signed, without
 * credentials and with the certificate verified, as they were delivered until then.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { JobQueue } from '../queue/queue.js';
import { migrate } from '../store/migrate.js';
import { MIGRATIONS } from '../store/migrations.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import type { WorkerRunner } from '../worker/runner.js';
import { NotificationEndpoints, shownUrl } from './endpoints.js';
import { Notifier } from './notify.js';
import type { TypePayload } from './payloads.js';
import { newWebhookSecret } from './sign.js';
import { startDeliveryRunner } from './test-support/delivery-runner.js';
import { eventually, TestReceiver, verifyStandardWebhook } from './test-support/receiver.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'e'.repeat(64)}`;

describe.each(STORE_KINDS)('an endpoint stored before migration 41 on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let receiver: TestReceiver;
  let runner: WorkerRunner;
  const sealedSecret = newWebhookSecret();
  const clearSecret = newWebhookSecret();

  beforeAll(async () => {
    database = await openTestDatabase(
      kind,
      MIGRATIONS.filter((m) => m.id < 41),
    );
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    receiver = await TestReceiver.create();
    await receiver.setMode('accept');
    for (const name of ['team-a', 'team-b']) await store.accounts.create({ name, type: 'user' });
    // team-a's endpoint as NotificationEndpoints.set wrote it before migration 41 (the columns
    // and sealing contexts of migrations 21 and 22); team-b's in clear, from before 21.
    const context = (field: string) => `notification-endpoint\0team-a\0general\0${field}`;
    await database.db.query(
      `INSERT INTO notification_endpoint (account_name, notification_type, sink, url, secret, url_shown, sealed, min_level)
       VALUES ('team-a', 'general', 'webhook', $1, $2, $3, true, NULL)`,
      [
        store.box.seal(`${receiver.url}/a`, context('url')),
        store.box.seal(sealedSecret, context('secret')),
        shownUrl(`${receiver.url}/a`),
      ],
    );
    await database.db.query(
      `INSERT INTO notification_endpoint (account_name, notification_type, sink, url, secret)
       VALUES ('team-b', 'general', 'webhook', $1, $2)`,
      [`${receiver.url}/b`, clearSecret],
    );
    expect(await migrate(database.db)).toContain(41);

    const queue = new JobQueue(database.db);
    runner = startDeliveryRunner(store, queue);
  });
  afterAll(async () => {
    await runner.stop();
    await receiver.stopListening();
    await database.stop();
  });

  it('lists them with no credentials and verified TLS, and still delivers them signed', async () => {
    const endpoints = new NotificationEndpoints(database.db, store.box);
    for (const account of ['team-a', 'team-b'])
      expect(await endpoints.list(account)).toEqual([
        { accountName: account, type: 'general', sink: 'webhook', url: `${receiver.url}/…`, sslVerify: true },
      ]);
    const notifier = new Notifier(database.db, new JobQueue(database.db));
    const payload: TypePayload = { type: 'tag_update', currentDigests: [DIGEST], lastDigests: [] };
    const ids = {
      a: await notifier.notify('team-a', 'registry.example/app:1', payload, { test: true }),
      b: await notifier.notify('team-b', 'registry.example/app:1', payload, { test: true }),
    };
    const received = (id: string | undefined) =>
      receiver.accepted.find((r) => r.headers['webhook-id'] === id);
    await eventually(() => received(ids.a) !== undefined && received(ids.b) !== undefined, 'both deliveries');
    expect(received(ids.a)!.path).toBe('/hook/a');
    expect(received(ids.b)!.path).toBe('/hook/b');
    expect(verifyStandardWebhook(sealedSecret, received(ids.a)!)).toBe(true);
    expect(verifyStandardWebhook(clearSecret, received(ids.b)!)).toBe(true);
    expect(received(ids.a)!.headers.authorization).toBeUndefined();
    expect(received(ids.b)!.headers.authorization).toBeUndefined();

    // The clear row is sealed on start as before, and credentials can be added to either.
    expect(await endpoints.sealPlaintext()).toBe(1);
    await endpoints.set({
      accountName: 'team-b',
      type: 'general',
      sink: 'webhook',
      url: `${receiver.url}/b`,
      secret: clearSecret,
      basicAuth: { user: 'anchore', password: 'after-41' },
    });
    expect(await endpoints.endpointFor('team-b', 'vuln_update')).toMatchObject({
      basicAuth: { user: 'anchore', password: 'after-41' },
      sslVerify: true,
    });
  });
});
