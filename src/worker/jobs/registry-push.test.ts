/**
 * Tag watching against Debian's real `docker-registry` (TLS + htpasswd): the registry's own
 * `notifications: endpoints:` setting posts pushes to the service on 127.0.0.1, authenticated
 * by a shared token; the push consumers move the watched tag (new image queued for analysis,
 * `tag_update` with old and new digests). Polling finds the same for a watcher that subscribed
 * later, and an unreachable registry backs off. Bad tokens, malformed envelopes and replays are
 * refused or ignored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { stopSharedPostgres } from '../../../test/harness/databases.js';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { pushImage } from '../../../test/harness/registry/push.js';
import { freePort, startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { serviceOpenOptions } from '../../../test/harness/service-fixture.js';
import { createRegistryReader } from '../../main/registry-reader.js';
import { createResolveImage } from '../../main/resolve-image.js';
import { NotificationEndpoints } from '../../notifications/endpoints.js';
import { newWebhookSecret } from '../../notifications/sign.js';
import { eventually } from '../../notifications/test-support/receiver.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { WorkerRunner } from '../runner.js';
import { registryPushJob } from './registry-push.js';
import { watchRegistryJob } from './watch-registry.js';

afterAll(() => stopSharedPostgres());

const TOKEN = 'registry-shared-token-0123456789';
const EVENTS_TYPE = 'application/vnd.docker.distribution.events.v1+json';

describe('registry push notifications and tag watchers (PostgreSQL 15, real docker-registry)', () => {
  let api: ApiHarness;
  let registry: TestRegistry;
  let runner: WorkerRunner;
  let root: string;
  let tag: string;

  const tagUpdates = async (account: string) =>
    (
      await api.store.db.query<{
        payload: { notification_payload: { curr_eval: string[]; last_eval: string[] } };
      }>(
        "SELECT payload FROM notification WHERE account_name = $1 AND notification_type = 'tag_update' ORDER BY seq",
        [account],
      )
    ).rows.map((r) => [r.payload.notification_payload.last_eval, r.payload.notification_payload.curr_eval]);
  const analysisJobs = async () =>
    (
      await api.store.db.query<{ payload: { imageDigest: string } }>(
        'SELECT payload FROM job WHERE kind = $1 ORDER BY id',
        [JOB_KINDS.analyzeImage],
      )
    ).rows.map((r) => r.payload.imageDigest);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-push-'));
    const port = await freePort();
    registry = await startRegistry('tls-basic', {
      extraConfig: [
        'notifications:',
        '  endpoints:',
        '    - name: portcullis',
        `      url: http://127.0.0.1:${port}/v1/registry/notifications`,
        '      headers:',
        `        Authorization: [Bearer ${TOKEN}]`,
        '      timeout: 5s',
        '      threshold: 5',
        '      backoff: 1s',
      ].join('\n'),
    });
    const open = serviceOpenOptions(registry, join(root, 'cache'));
    api = await startApi('PostgreSQL 15', open, { registryNotifications: { tokens: [{ token: TOKEN }] } });
    await api.app.listen({ host: '127.0.0.1', port });
    tag = `${registry.host}/watched/app:1`;
    for (const account of ['team-a', 'team-b']) {
      await api.store.registries.create({
        accountName: account,
        registry: registry.host,
        registryName: registry.host,
        registryUser: registry.username,
        registryPass: registry.password,
        registryType: 'docker_v2',
        registryVerify: true,
      });
      await new NotificationEndpoints(api.store.db, api.store.box).set({
        accountName: account,
        type: 'general',
        sink: 'webhook',
        url: 'http://127.0.0.1:9/hook',
        secret: newWebhookSecret(),
      });
    }
    await api.store.subscriptions.ensureForTag('team-a', tag, true);
    const resolveTag = createResolveImage(api.store, open, root);
    runner = new WorkerRunner(
      api.queue,
      [
        registryPushJob({ store: api.store, resolveTag }),
        watchRegistryJob({
          store: api.store,
          resolveTag,
          reader: createRegistryReader(api.store, open),
          watch: { intervalMs: 60_000, maxBackoffMs: 600_000 },
        }),
      ],
      { owner: 'test', concurrency: 1, pollMs: 50, drainTimeoutMs: 5_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  }, 600_000);
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await registry?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('follows a watched tag through two pushes announced by the registry itself', async () => {
    const [app, base] = await Promise.all([getFixtureImage('app'), getFixtureImage('base')]);
    const appDigest = app.manifests[0]!.manifestDigest;
    const baseDigest = base.manifests[0]!.manifestDigest;
    await pushImage(registry, `oci:${app.ociLayoutDir}:${app.tag}`, 'watched/app:1');
    await eventually(async () => (await tagUpdates('team-a')).length === 1, 'the first tag_update', 120_000);
    expect(await tagUpdates('team-a')).toEqual([[[], [appDigest]]]);
    expect(await analysisJobs()).toEqual([appDigest]);
    expect((await api.store.images.get('team-a', appDigest))?.tags.map((t) => t.tag)).toEqual(['1']);

    await pushImage(registry, `oci:${base.ociLayoutDir}:${base.tag}`, 'watched/app:1');
    await eventually(async () => (await tagUpdates('team-a')).length === 2, 'the second tag_update', 120_000);
    expect((await tagUpdates('team-a'))[1]).toEqual([[appDigest], [baseDigest]]);
    expect(await analysisJobs()).toEqual([appDigest, baseDigest]);
    // team-b watches nothing: the pushes left it alone.
    expect(await tagUpdates('team-b')).toEqual([]);
  }, 300_000);

  it('polls a tag for a watcher that subscribed later, and backs off from an unreachable registry', async () => {
    await api.store.subscriptions.ensureForTag('team-b', tag, true);
    const dead = '127.0.0.1:1/gone/app:1';
    await api.store.subscriptions.ensureForTag('team-b', dead, true);
    const round = async () => {
      const { id } = await api.queue.enqueue({ kind: JOB_KINDS.watchRegistry, payload: {} });
      await eventually(async () => (await api.queue.get(id))?.state === 'succeeded', 'a poll round', 120_000);
    };
    await round();
    const [update] = await tagUpdates('team-b');
    expect(update?.[0]).toEqual([]);
    expect(update?.[1]).toHaveLength(1);
    const failing = await api.store.watches.pollState('127.0.0.1:1');
    expect(failing?.failures).toBe(1);
    expect(failing?.lastError).toBeTruthy();
    const lookups = await api.store.events.page('team-b', { type: 'system.image_analysis.*' }, 1, 10);
    expect(lookups.events.map((e) => [e.type, e.level, e.category, e.resourceId])).toEqual([
      ['system.image_analysis.registry_lookup_failed', 'error', 'system', dead],
    ]);
    expect((await api.store.watches.pollState(registry.host))?.failures).toBe(0);
    // Not due yet: a second round polls neither registry, and nothing new is sent.
    await round();
    expect((await api.store.watches.pollState('127.0.0.1:1'))?.failures).toBe(1);
    expect(await tagUpdates('team-b')).toHaveLength(1);
    // Due again and still down: the wait doubles.
    await api.store.db.query("UPDATE registry_watch SET next_poll_at = now() WHERE registry = '127.0.0.1:1'");
    await round();
    const again = await api.store.watches.pollState('127.0.0.1:1');
    expect(again?.failures).toBe(2);
    expect(again!.nextPollAt.getTime() - Date.now()).toBeGreaterThan(2 * 60_000);
  }, 300_000);

  it('watches a repository (POST /v1/repositories): a new tag pushed later is added and subscribed', async () => {
    const url = `/v1/repositories?repository=${registry.host}/watched/app&autosubscribe=True&lookuptag=1`;
    const dry = await api.call('alice', { method: 'POST', url: `${url}&dryrun=True` });
    expect(dry.statusCode).toBe(200);
    expect(await api.store.subscriptions.list('team-a', { type: 'repo_update' })).toEqual([]);
    const res = await api.call('alice', { method: 'POST', url });
    expect(res.statusCode).toBe(200);
    const [record] = res.json() as {
      subscription_type: string;
      subscription_key: string;
      subscription_value: string;
    }[];
    expect(record).toMatchObject({
      subscription_type: 'repo_update',
      subscription_key: `${registry.host}/watched/app`,
    });
    expect(JSON.parse(record!.subscription_value)).toEqual({
      autosubscribe: true,
      lookuptag: '1',
      tagcount: 1,
    });

    const app = await getFixtureImage('app');
    await pushImage(registry, `oci:${app.ociLayoutDir}:${app.tag}`, 'watched/app:2');
    const tag2 = `${registry.host}/watched/app:2`;
    await eventually(
      async () =>
        (await api.store.subscriptions.list('team-a', { key: tag2, type: 'tag_update' }))[0]?.active === true,
      'the new tag subscribed',
      120_000,
    );
    const image = await api.store.images.get('team-a', app.manifests[0]!.manifestDigest);
    expect(image?.tags.map((t) => t.tag).sort()).toEqual(['1', '2']);
  }, 300_000);

  it('refuses bad tokens and malformed envelopes, ignores blob events and accepts an event id once', async () => {
    const post = (payload: unknown, authorization = `Bearer ${TOKEN}`) =>
      api.app.inject({
        method: 'POST',
        url: '/v1/registry/notifications',
        headers: { 'content-type': EVENTS_TYPE, authorization },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
    expect((await post({ events: [] }, 'Bearer wrong')).statusCode).toBe(401);
    expect((await post({ events: [] }, '')).statusCode).toBe(401);
    expect((await post('{"events": [')).statusCode).toBe(400);
    expect((await post({ events: [{ action: 'push' }] })).statusCode).toBe(400);
    const event = {
      id: 'replayed-event-1',
      timestamp: new Date().toISOString(),
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${'9'.repeat(64)}`,
        repository: 'elsewhere/app',
        url: `https://${registry.host}/v2/elsewhere/app/manifests/sha256:${'9'.repeat(64)}`,
        tag: 'x',
      },
      request: { addr: '127.0.0.1:5555', host: registry.host },
      source: { addr: 'test:5000' },
    };
    const blob = {
      ...event,
      id: 'blob-1',
      target: { ...event.target, mediaType: 'application/octet-stream' },
    };
    const first = await post({ events: [event, blob] });
    expect([first.statusCode, first.json()]).toEqual([202, { queued: 1, duplicates: 0, ignored: 1 }]);
    const replay = await post({ events: [event] });
    expect(replay.json()).toEqual({ queued: 0, duplicates: 1, ignored: 0 });
  });
});
