/**
 * Endpoints at rest on both stores: URL and signing secret are sealed (the raw table holds no
 * plaintext), rows stored in clear before migration 21 are sealed once, and a ciphertext
 * moved onto another account's row does not open.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { NotificationEndpoints, shownUrl } from './endpoints.js';
import { NotificationOutbox } from './outbox.js';
import { newWebhookSecret } from './sign.js';

afterAll(() => stopSharedPostgres());

const SLACK = 'https://hooks.slack.com/services/T0001/B0002/xoxb-very-secret-token';

describe('shownUrl', () => {
  it.each([
    [SLACK, 'https://hooks.slack.com/services/…'],
    ['http://127.0.0.1:8080/hook', 'http://127.0.0.1:8080/hook'],
    ['https://example.org/', 'https://example.org/'],
    ['https://example.org/in?token=abc', 'https://example.org/in?…'],
    ['https://example.org/api/webhooks/1/secret', 'https://example.org/api/…'],
  ])('shortens %s to %s', (url, shown) => {
    expect(shownUrl(url)).toBe(shown);
  });
});

describe.each(STORE_KINDS)('notification endpoints at rest on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let endpoints: NotificationEndpoints;

  /** Every endpoint and attempt row as text, as someone reading the database would see it. */
  const rawTables = async () => {
    const { rows } = await database.db.query<{ t: string }>(
      `SELECT row_to_json(e)::text AS t FROM notification_endpoint e
       UNION ALL SELECT row_to_json(a)::text FROM notification_attempt a`,
    );
    return rows.map((r) => r.t).join('\n');
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    endpoints = new NotificationEndpoints(database.db, store.box);
    for (const name of ['team-a', 'team-b']) await store.accounts.create({ name, type: 'user' });
  });
  afterAll(() => database.stop());

  it('seals the URL and secret, lists the URL shortened and opens both for delivery', async () => {
    const secret = newWebhookSecret();
    const shown = await endpoints.set({
      accountName: 'team-a',
      type: 'general',
      sink: 'slack',
      url: SLACK,
      secret,
    });
    expect(shown).toEqual({
      accountName: 'team-a',
      type: 'general',
      sink: 'slack',
      url: shownUrl(SLACK),
      sslVerify: true,
    });
    const raw = await rawTables();
    expect(raw).toContain('hooks.slack.com/services/…');
    expect(raw).not.toContain('xoxb-very-secret-token');
    expect(raw).not.toContain('T0001');
    expect(raw).not.toContain(secret.slice('whsec_'.length));
    expect(await endpoints.list('team-a')).toEqual([shown]);
    expect(await endpoints.endpointFor('team-a', 'policy_eval')).toMatchObject({
      url: SLACK,
      secret,
      sink: 'slack',
    });
    expect(await endpoints.endpointFor('team-b', 'policy_eval')).toBeUndefined();
  });

  it('does not open a sealed value copied onto another account', async () => {
    await endpoints.set({
      accountName: 'team-b',
      type: 'general',
      sink: 'webhook',
      url: 'https://example.org/b',
      secret: newWebhookSecret(),
    });
    await database.db.query(
      `UPDATE notification_endpoint SET url = (SELECT url FROM notification_endpoint WHERE account_name = 'team-a')
       WHERE account_name = 'team-b'`,
    );
    await expect(endpoints.endpointFor('team-b', 'vuln_update')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(await endpoints.delete('team-b', 'general')).toBe(true);
  });

  it('seals rows stored in clear before migration 21, and the URLs their attempts recorded', async () => {
    const url = 'https://example.org/hooks/legacy-token-123';
    const secret = newWebhookSecret();
    await database.db.query(
      `INSERT INTO notification_endpoint (account_name, notification_type, sink, url, secret)
       VALUES ('team-b', 'vuln_update', 'webhook', $1, $2)`,
      [url, secret],
    );
    const outbox = new NotificationOutbox(database.db);
    const id = await outbox.add({
      accountName: 'team-b',
      type: 'vuln_update',
      stream: 'vuln_update:legacy',
      payload: () => ({ legacy: true }),
      deadline: new Date(Date.now() + 60_000),
    });
    await outbox.recordAttempt(id, { attempt: 1, url, status: 500, error: 'HTTP 500' });
    // Still delivered while in clear (a worker may run before the sealing step).
    expect(await endpoints.endpointFor('team-b', 'vuln_update')).toMatchObject({ url, secret });
    expect(await rawTables()).toContain('legacy-token-123');

    expect(await endpoints.sealPlaintext()).toBe(1);
    const raw = await rawTables();
    expect(raw).not.toContain('legacy-token-123');
    expect(raw).not.toContain(secret.slice('whsec_'.length));
    expect(await outbox.attempts(id)).toEqual([
      { attempt: 1, url: 'https://example.org/hooks/…', status: 500, error: 'HTTP 500' },
    ]);
    expect(await endpoints.endpointFor('team-b', 'vuln_update')).toMatchObject({ url, secret });
    expect(await endpoints.list('team-b')).toEqual([
      {
        accountName: 'team-b',
        type: 'vuln_update',
        sink: 'webhook',
        url: 'https://example.org/hooks/…',
        sslVerify: true,
      },
    ]);
    expect(await endpoints.sealPlaintext()).toBe(0);
  });

  it('seals the basic auth password, lists only the user and opens both for delivery', async () => {
    const password = 'pa55-only-the-receiver-knows';
    const shown = await endpoints.set({
      accountName: 'team-a',
      type: 'policy_eval',
      sink: 'webhook',
      url: 'https://receiver.example/anchore',
      secret: newWebhookSecret(),
      basicAuth: { user: 'anchore', password },
      sslVerify: false,
    });
    expect(shown).toEqual({
      accountName: 'team-a',
      type: 'policy_eval',
      sink: 'webhook',
      url: 'https://receiver.example/anchore',
      webhookUser: 'anchore',
      sslVerify: false,
    });
    expect(await rawTables()).not.toContain(password);
    expect(JSON.stringify(await endpoints.list('team-a'))).not.toContain(password);
    expect(await endpoints.endpointFor('team-a', 'policy_eval')).toMatchObject({
      basicAuth: { user: 'anchore', password },
      sslVerify: false,
    });
    // The general endpoint's delivery carries no credentials of the per-type one.
    expect(await endpoints.endpointFor('team-a', 'vuln_update')).not.toHaveProperty('basicAuth');

    // A PUT replaces the whole endpoint: set again without credentials, it has none.
    await endpoints.set({
      accountName: 'team-a',
      type: 'policy_eval',
      sink: 'webhook',
      url: 'https://receiver.example/anchore',
      secret: newWebhookSecret(),
    });
    expect(await endpoints.endpointFor('team-a', 'policy_eval')).toMatchObject({ sslVerify: true });
    expect(await endpoints.endpointFor('team-a', 'policy_eval')).not.toHaveProperty('basicAuth');
    expect(await endpoints.delete('team-a', 'policy_eval')).toBe(true);
  });

  it('refuses credentials on a Slack sink, and half a pair, in the library and in the table', async () => {
    const slack = {
      accountName: 'team-a',
      type: 'tag_update',
      url: SLACK,
      secret: newWebhookSecret(),
    } as const;
    await expect(
      endpoints.set({ ...slack, sink: 'slack', basicAuth: { user: 'u', password: 'p' } }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('sink webhook only'),
    });
    for (const [user, pass, sink] of [
      ['u', null, 'webhook'],
      [null, 'v1.x.y.z', 'webhook'],
      ['u', 'v1.x.y.z', 'slack'],
      ['u:v', 'v1.x.y.z', 'webhook'],
    ] as const) {
      await expect(
        database.db.query(
          `INSERT INTO notification_endpoint (account_name, notification_type, sink, url, secret, webhook_user, webhook_pass)
           VALUES ('team-a', 'tag_update', $1, 'x', 'y', $2, $3)`,
          [sink, user, pass],
        ),
        `${user} ${pass} ${sink}`,
      ).rejects.toThrow(/notification_endpoint_basic_auth/);
    }
  });

  it('does not open a password copied onto another type of the account', async () => {
    for (const type of ['analysis_update', 'vuln_update'] as const)
      await endpoints.set({
        accountName: 'team-a',
        type,
        sink: 'webhook',
        url: 'https://receiver.example/a',
        secret: newWebhookSecret(),
        basicAuth: { user: type, password: `${type}-pw` },
      });
    await database.db.query(
      `UPDATE notification_endpoint SET webhook_pass = (SELECT webhook_pass FROM notification_endpoint
         WHERE account_name = 'team-a' AND notification_type = 'analysis_update')
       WHERE account_name = 'team-a' AND notification_type = 'vuln_update'`,
    );
    await expect(endpoints.endpointFor('team-a', 'vuln_update')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    for (const type of ['analysis_update', 'vuln_update'] as const) await endpoints.delete('team-a', type);
  });
});
