import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { UrlGuard } from '../../notifications/ssrf.js';
import {
  eventually,
  TestReceiver,
  verifyStandardWebhook,
} from '../../notifications/test-support/receiver.js';
import { deliverNotificationJob } from '../../worker/jobs/deliver-notification.js';
import { WorkerRunner } from '../../worker/runner.js';

afterAll(() => stopSharedPostgres());

describe.each(STORE_KINDS)('subscription and webhook routes on %s', (kind) => {
  let api: ApiHarness;
  let receiver: TestReceiver;
  let runner: WorkerRunner;

  beforeAll(async () => {
    api = await startApi(kind);
    receiver = await TestReceiver.create();
    await receiver.setMode('accept');
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
    await api.close();
  });

  it('adds, lists, updates and deletes subscriptions with Anchore shapes and normalised keys', async () => {
    const added = await api.call('alice', {
      method: 'POST',
      url: '/v1/subscriptions',
      payload: { subscription_type: 'vuln_update', subscription_key: 'alpine:3.19' },
    });
    expect(added.statusCode).toBe(200);
    const [record] = added.json() as Record<string, unknown>[];
    expect(record).toMatchObject({
      userId: 'team-a',
      subscription_type: 'vuln_update',
      subscription_key: 'docker.io/library/alpine:3.19',
      active: true,
    });
    expect(typeof record!.created_at).toBe('number');
    const id = String(record!.subscription_id);
    const listed = await api.call('alice', {
      method: 'GET',
      url: '/v1/subscriptions?subscription_key=docker.io/library/alpine:3.19&subscription_type=vuln_update',
    });
    expect((listed.json() as { subscription_id: string }[]).map((s) => s.subscription_id)).toEqual([id]);
    const updated = await api.call('alice', {
      method: 'PUT',
      url: `/v1/subscriptions/${id}`,
      payload: { active: false },
    });
    expect((updated.json() as { active: boolean }[])[0]?.active).toBe(false);
    expect((await api.call('alice', { method: 'DELETE', url: `/v1/subscriptions/${id}` })).statusCode).toBe(
      200,
    );
    expect((await api.call('alice', { method: 'GET', url: `/v1/subscriptions/${id}` })).statusCode).toBe(404);

    const repo = await api.call('alice', {
      method: 'POST',
      url: '/v1/subscriptions',
      payload: {
        subscription_type: 'repo_update',
        subscription_key: 'quay.io/org/app',
        subscription_value: '{"autosubscribe": true}',
      },
    });
    expect(JSON.parse((repo.json() as { subscription_value: string }[])[0]!.subscription_value)).toEqual({
      autosubscribe: true,
      lookuptag: 'latest',
    });
  });

  it.each([
    [{ subscription_type: 'image_update', subscription_key: 'alpine:3.19' }, 400],
    [{ subscription_type: 'vuln_update' }, 400],
    [{ subscription_type: 'vuln_update', subscription_key: 'UPPER/Case::' }, 400],
    [
      {
        subscription_type: 'repo_update',
        subscription_key: 'quay.io/org/x',
        subscription_value: '{not json',
      },
      400,
    ],
  ])('refuses a bad subscription %j with an Anchore error body', async (payload, status) => {
    const res = await api.call('alice', { method: 'POST', url: '/v1/subscriptions', payload });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({
      httpcode: status,
      message: expect.any(String),
      detail: expect.any(Object),
    });
  });

  it('refuses a duplicate subscription and a changed type', async () => {
    const payload = { subscription_type: 'policy_eval', subscription_key: 'docker.io/library/debian:12' };
    const first = await api.call('alice', { method: 'POST', url: '/v1/subscriptions', payload });
    expect((await api.call('alice', { method: 'POST', url: '/v1/subscriptions', payload })).statusCode).toBe(
      409,
    );
    const id = (first.json() as { subscription_id: string }[])[0]!.subscription_id;
    const res = await api.call('alice', {
      method: 'PUT',
      url: `/v1/subscriptions/${id}`,
      payload: { subscription_type: 'tag_update', active: true },
    });
    expect(res.statusCode).toBe(400);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://10.0.0.5/hook',
    'http://127.0.0.1:8228/v1/images',
    'file:///etc/passwd',
  ])('refuses the webhook URL %s', async (url) => {
    const res = await api.call('alice', {
      method: 'PUT',
      url: '/v1/system/webhooks/general',
      payload: { url },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ httpcode: 400, message: expect.stringContaining('refused') });
  });

  it('refuses an unknown webhook type and a test without a configured webhook', async () => {
    expect(
      (
        await api.call('alice', {
          method: 'PUT',
          url: '/v1/system/webhooks/nonsense',
          payload: { url: receiver.url },
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await api.call('bob', { method: 'POST', url: '/v1/system/webhooks/vuln_update/test' })).statusCode,
    ).toBe(404);
  });

  it('sends a signed sample to the configured webhook, which is sealed at rest and shown shortened', async () => {
    const tokenUrl = `${receiver.url}/T0001/route-test-token`;
    const configured = await api.call('alice', {
      method: 'PUT',
      url: '/v1/system/webhooks/general',
      payload: { url: tokenUrl },
    });
    expect(configured.statusCode).toBe(200);
    const { secret } = configured.json() as { secret: string };
    expect(configured.json()).toEqual({
      webhook_type: 'general',
      sink: 'webhook',
      url: `${receiver.url}/…`,
      ssl_verify: true,
      secret,
    });
    const listed = await api.call('alice', { method: 'GET', url: '/v1/system/webhooks' });
    expect(listed.json()).toEqual([
      { webhook_type: 'general', sink: 'webhook', url: `${receiver.url}/…`, ssl_verify: true },
    ]);
    expect(listed.body).not.toContain('whsec_');
    const { rows } = await api.store.db.query<{ t: string }>(
      'SELECT row_to_json(e)::text AS t FROM notification_endpoint e',
    );
    expect(rows.map((r) => r.t).join()).not.toMatch(/route-test-token|T0001/);
    expect(rows.map((r) => r.t).join()).not.toContain(secret.slice('whsec_'.length));
    const res = await api.call('alice', { method: 'POST', url: '/v1/system/webhooks/vuln_update/test' });
    expect(res.statusCode).toBe(200);
    const { notification_id: id } = res.json() as { notification_id: string };
    await eventually(() => receiver.accepted.some((r) => r.headers['webhook-id'] === id), 'the sample');
    const received = receiver.accepted.find((r) => r.headers['webhook-id'] === id)!;
    expect(verifyStandardWebhook(secret, received)).toBe(true);
    expect(JSON.parse(received.body)).toMatchObject({
      queueId: 'vuln_update',
      userId: 'team-a',
      dataId: id,
      data: { notification_type: 'vuln_update', notification_payload: { subscription_type: 'vuln_update' } },
    });
    expect(
      (await api.call('alice', { method: 'DELETE', url: '/v1/system/webhooks/general' })).statusCode,
    ).toBe(200);
  });

  it("routes deliveries by Anchore's <notification_type> and <userId> placeholders, per-type URL first", async () => {
    const origin = new URL(receiver.url).origin;
    const put = (type: string, url: string) =>
      api.call('bob', { method: 'PUT', url: `/v1/system/webhooks/${type}`, payload: { url } });
    expect((await put('general', `${origin}/general/<notification_type>/<userId>`)).statusCode).toBe(200);
    expect((await put('policy_eval', `${origin}/policy_eval/<userId>`)).statusCode).toBe(200);
    const sent: Record<string, string> = {};
    for (const type of ['vuln_update', 'tag_update', 'policy_eval']) {
      const res = await api.call('bob', { method: 'POST', url: `/v1/system/webhooks/${type}/test` });
      expect(res.statusCode).toBe(200);
      sent[(res.json() as { notification_id: string }).notification_id] = type;
    }
    const pathOf = (id: string) => receiver.accepted.find((r) => r.headers['webhook-id'] === id)?.path;
    await eventually(() => Object.keys(sent).every((id) => pathOf(id) !== undefined), 'the three samples');
    expect(Object.entries(sent).map(([id, type]) => [type, pathOf(id)])).toEqual([
      ['vuln_update', '/general/vuln_update/team-b'],
      ['tag_update', '/general/tag_update/team-b'],
      ['policy_eval', '/policy_eval/team-b'],
    ]);
    for (const type of ['general', 'policy_eval'])
      await api.call('bob', { method: 'DELETE', url: `/v1/system/webhooks/${type}` });
  });

  it('pages events newest first with a boolean next_page, filters them, gets and deletes one', async () => {
    for (let i = 0; i < 101; i += 1) {
      await api.store.events.add({
        accountName: 'team-a',
        type: i === 100 ? 'user.image.analysis.failed' : 'user.image.analysis.completed',
        level: i === 100 ? 'error' : 'info',
        message: `event ${i}`,
        resourceType: 'image_digest',
        resourceId: `sha256:${i}`,
        sourceService: 'analyzer',
        sourceHost: 'test-host',
      });
    }
    const first = (
      await api.call('alice', { method: 'GET', url: '/v1/events?event_type=user.image.*' })
    ).json() as {
      results: { generated_uuid: string; event: { level: string; resource: { user_id: string } } }[];
      next_page: unknown;
      item_count: number;
    };
    expect(first.next_page).toBe(true);
    expect(first.item_count).toBe(100);
    expect(first.results[0]!.event.resource.user_id).toBe('team-a');
    const second = (
      await api.call('alice', { method: 'GET', url: '/v1/events?event_type=user.image.*&page=2' })
    ).json() as {
      next_page: unknown;
      item_count: number;
    };
    expect(second).toMatchObject({ next_page: false, item_count: 1 });
    const errors = (
      await api.call('alice', { method: 'GET', url: '/v1/events?level=error' })
    ).json() as typeof first;
    expect(errors.results.map((r) => r.event.level)).toEqual(['error']);
    const id = errors.results[0]!.generated_uuid;
    expect((await api.call('alice', { method: 'GET', url: `/v1/events/${id}` })).json()).toMatchObject({
      generated_uuid: id,
      event: { type: 'user.image.analysis.failed', message: 'event 100' },
    });
    expect((await api.call('alice', { method: 'DELETE', url: `/v1/events/${id}` })).statusCode).toBe(200);
    expect((await api.call('alice', { method: 'GET', url: `/v1/events/${id}` })).statusCode).toBe(404);
    expect((await api.call('alice', { method: 'GET', url: '/v1/events?since=yesterday' })).statusCode).toBe(
      400,
    );
    const types = (await api.call('alice', { method: 'GET', url: '/v1/event_types' })).json() as {
      name: string;
    }[];
    expect(types.map((t) => t.name)).toEqual(['user', 'system']);
  });

  it("filters events by Anchore's query fields, lists the newest first and deletes the matching ones", async () => {
    const add = (i: number, resourceType: string, service: string) =>
      api.store.events.add({
        accountName: 'team-b',
        type: 'system.repository.list_tags_fail',
        level: 'error',
        message: `filtered ${i}`,
        resourceType,
        resourceId: `registry.example/r${i}`,
        sourceService: service,
        sourceHost: `host-${i}`,
      });
    const first = await add(0, 'repository', 'catalog');
    await add(1, 'repository', 'analyzer');
    await add(2, 'image_tag', 'catalog');
    const ids = async (query: string) =>
      (
        (await api.call('bob', { method: 'GET', url: `/v1/events?${query}` })).json() as {
          results: { event: { message: string; category: string } }[];
        }
      ).results.map((r) => r.event.message);
    expect(await ids('event_type=system.repository.*')).toEqual(['filtered 2', 'filtered 1', 'filtered 0']);
    expect(await ids('resource_type=repository&source_servicename=catalog')).toEqual(['filtered 0']);
    expect(await ids('resource_id=registry.example/r1')).toEqual(['filtered 1']);
    expect(await ids('source_hostid=host-2&level=ERROR')).toEqual(['filtered 2']);
    const at = first.createdAt.toISOString();
    expect(await ids(`before=${at}&event_type=system.*`)).toEqual([]);
    expect((await ids(`since=${at}&event_type=system.*`)).length).toBe(3);
    // The category is the type's first part.
    const [one] = (
      (
        await api.call('bob', { method: 'GET', url: '/v1/events?resource_id=registry.example/r1' })
      ).json() as {
        results: { event: { category: string } }[];
      }
    ).results;
    expect(one?.event.category).toBe('system');
    // alice's filter deletes none of bob's.
    expect(
      (await api.call('alice', { method: 'DELETE', url: '/v1/events?event_type=system.*' })).json(),
    ).toEqual([]);
    const deleted = await api.call('bob', { method: 'DELETE', url: '/v1/events?resource_type=repository' });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toHaveLength(2);
    expect(await ids('event_type=system.repository.*')).toEqual(['filtered 2']);
  });

  it('lists every event type the service writes in /v1/event_types', async () => {
    const types = (await api.call('alice', { method: 'GET', url: '/v1/event_types' })).json() as {
      name: string;
      subcategories: { name: string; events: { type: string; level: string }[] }[];
    }[];
    const listed = types.flatMap((c) => c.subcategories.flatMap((s) => s.events.map((e) => e.type)));
    for (const type of [
      'user.image.analysis.completed',
      'user.checks.tag.vulnerabilities.update',
      'user.checks.tag.policy_evaluation.update',
      'user.policy.active.updated',
      'system.feeds.sync.completed',
      'system.repository.list_tags_fail',
      'system.analysis_archive.image_archived',
      'system.image_analysis.restored_from_archive',
    ])
      expect(listed).toContain(type);
    expect(listed.every((t) => t.startsWith(`${t.split('.')[0]}.`))).toBe(true);
    expect(types.every((c) => listed.filter((t) => t.startsWith(`${c.name}.`)).length > 0)).toBe(true);
  });
});
