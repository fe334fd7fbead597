/**
 * Tenancy probes of the monitoring routes (subscriptions, webhooks), merged into the route-table
 * test in src/server/tenancy.test.ts: alice must neither see nor change team-b's records.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_TAG = 'registry.example/b/app:latest';

async function bobSubscriptionId(api: ApiHarness): Promise<string> {
  await api.store.subscriptions.ensureForTag('team-b', B_TAG, true);
  const [sub] = await api.store.subscriptions.list('team-b', { key: B_TAG, type: 'tag_update' });
  return sub!.id;
}

async function bobWebhook(api: ApiHarness): Promise<void> {
  await api.store.db.query(
    `INSERT INTO notification_endpoint (account_name, notification_type, sink, url, secret)
     VALUES ('team-b', 'general', 'webhook', 'http://127.0.0.1:9/b-hook', 'whsec_YmJi') ON CONFLICT DO NOTHING`,
  );
}

async function bobEvent(api: ApiHarness): Promise<string> {
  const event = await api.store.events.add({
    accountName: 'team-b',
    type: 'user.image.analysis.completed',
    level: 'info',
    message: 'Image analysis completed',
    resourceType: 'image_digest',
    resourceId: 'sha256:bob',
    sourceService: 'analyzer',
    sourceHost: 'test-host',
  });
  return event.id;
}

const bobSubscriptionUnchanged = async (api: ApiHarness, id: string) => {
  const sub = await api.store.subscriptions.get('team-b', id);
  expect(sub?.active).toBe(true);
};

export const MONITORING_TENANCY: Record<string, Probe> = {
  'GET /v1/subscriptions': async (api) => {
    const id = await bobSubscriptionId(api);
    // alice may hold her own subscriptions on the same tag (the images probe adds them).
    const res = await api.call('alice', {
      method: 'GET',
      url: `/v1/subscriptions?subscription_key=${B_TAG}`,
    });
    const listed = res.json() as { subscription_id: string; userId: string }[];
    expect(listed.every((s) => s.userId === 'team-a')).toBe(true);
    expect(res.body).not.toContain(id);
  },
  'POST /v1/subscriptions': async (api) => {
    const id = await bobSubscriptionId(api);
    await api.store.db.query(
      "DELETE FROM subscription WHERE account_name = 'team-a' AND subscription_key = $1",
      [B_TAG],
    );
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { subscription_type: 'tag_update', subscription_key: B_TAG, active: false },
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { userId: string }[])[0]?.userId).toBe('team-a');
    await bobSubscriptionUnchanged(api, id);
    await api.store.subscriptions.delete(
      'team-a',
      (res.json() as { subscription_id: string }[])[0]!.subscription_id,
    );
  },
  'GET /v1/subscriptions/:subscriptionId': async (api) => {
    const id = await bobSubscriptionId(api);
    expect((await api.call('alice', { method: 'GET', url: `/v1/subscriptions/${id}` })).statusCode).toBe(404);
  },
  'PUT /v1/subscriptions/:subscriptionId': async (api) => {
    const id = await bobSubscriptionId(api);
    const res = await api.call('alice', {
      method: 'PUT',
      url: `/v1/subscriptions/${id}`,
      payload: { active: false },
    });
    expect(res.statusCode).toBe(404);
    await bobSubscriptionUnchanged(api, id);
  },
  'DELETE /v1/subscriptions/:subscriptionId': async (api) => {
    const id = await bobSubscriptionId(api);
    expect((await api.call('alice', { method: 'DELETE', url: `/v1/subscriptions/${id}` })).statusCode).toBe(
      404,
    );
    await bobSubscriptionUnchanged(api, id);
  },
  'GET /v1/system/webhooks': async (api) => {
    await bobWebhook(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/system/webhooks' });
    expect(res.body).not.toContain('b-hook');
  },
  'PUT /v1/system/webhooks/:type': async (api) => {
    await bobWebhook(api);
    const res = await api.call('alice', {
      method: 'PUT',
      url: '/v1/system/webhooks/general',
      payload: { url: 'http://127.0.0.1:9/a-hook' },
    });
    expect(res.statusCode).toBe(200);
    const { rows } = await api.store.db.query<{ url: string }>(
      "SELECT url FROM notification_endpoint WHERE account_name = 'team-b'",
    );
    expect(rows.map((r) => r.url)).toEqual(['http://127.0.0.1:9/b-hook']);
    await api.store.db.query("DELETE FROM notification_endpoint WHERE account_name = 'team-a'");
  },
  'DELETE /v1/system/webhooks/:type': async (api) => {
    await bobWebhook(api);
    expect(
      (await api.call('alice', { method: 'DELETE', url: '/v1/system/webhooks/general' })).statusCode,
    ).toBe(404);
    const { rows } = await api.store.db.query(
      "SELECT 1 FROM notification_endpoint WHERE account_name = 'team-b'",
    );
    expect(rows).toHaveLength(1);
  },
  'POST /v1/system/webhooks/:type/test': async (api) => {
    await bobWebhook(api);
    // alice has no webhook: nothing is sent, and nothing to bob's endpoint.
    expect(
      (await api.call('alice', { method: 'POST', url: '/v1/system/webhooks/vuln_update/test' })).statusCode,
    ).toBe(404);
    const { rows } = await api.store.db.query("SELECT 1 FROM notification WHERE account_name = 'team-b'");
    expect(rows).toHaveLength(0);
  },
  'GET /v1/events': async (api) => {
    const id = await bobEvent(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/events?event_type=*' });
    expect(res.body).not.toContain(id);
  },
  'DELETE /v1/events': async (api) => {
    const id = await bobEvent(api);
    await api.call('alice', { method: 'DELETE', url: '/v1/events' });
    expect(await api.store.events.get('team-b', id)).toBeDefined();
  },
  'GET /v1/events/:eventId': async (api) => {
    const id = await bobEvent(api);
    expect((await api.call('alice', { method: 'GET', url: `/v1/events/${id}` })).statusCode).toBe(404);
  },
  'DELETE /v1/events/:eventId': async (api) => {
    const id = await bobEvent(api);
    expect((await api.call('alice', { method: 'DELETE', url: `/v1/events/${id}` })).statusCode).toBe(404);
    expect(await api.store.events.get('team-b', id)).toBeDefined();
  },
  'GET /v1/event_types': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/event_types' });
    expect(res.body).not.toContain('team-b');
  },
};
