/**
 * Repository watchers without registry notifications, on both stores: Debian's docker-registry
 * (TLS + htpasswd) behind a proxy that pages `tags/list` two tags at a time, so the watcher
 * follows `Link` headers through several pages with the account's registry login. A tag pushed
 * later is found by the next poll: the account gets the image and the tag's subscriptions, and
 * a promotion rule whose source matches starts a promotion of the whole index (its own digest),
 * as a push notification would. The same push then announced by the registry starts nothing
 * more, and a repository that cannot be listed gets its error recorded and an error event.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { startPagingProxy, type PagingProxy } from '../../../test/harness/registry/paging-proxy.js';
import { inspectRaw, pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { serviceOpenOptions } from '../../../test/harness/service-fixture.js';
import { promotionRuleInput } from '../../core/promotion/index.js';
import { createRegistryReader } from '../../main/registry-reader.js';
import { createResolveImage } from '../../main/resolve-image.js';
import { eventually } from '../../notifications/test-support/receiver.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import type { PromotePayload } from '../../queue/request-promotion.js';
import { WorkerRunner } from '../runner.js';
import { registryPushJob } from './registry-push.js';
import { watchRegistryJob } from './watch-registry.js';

afterAll(() => stopSharedPostgres());

const TOKEN = 'registry-shared-token-watch-repo-1';

describe.each(STORE_KINDS)('repository watchers poll the tag list (%s, real docker-registry)', (kind) => {
  let api: ApiHarness;
  let upstream: TestRegistry;
  let paging: PagingProxy;
  let registry: TestRegistry;
  let runner: WorkerRunner;
  let root: string;

  const promoteJobs = async () =>
    (
      await api.store.db.query<{ payload: PromotePayload }>(
        'SELECT payload FROM job WHERE kind = $1 ORDER BY id',
        [JOB_KINDS.promote],
      )
    ).rows.map((r) => r.payload);
  const round = async () => {
    await api.store.db.query('UPDATE registry_watch SET next_poll_at = now()');
    const { id } = await api.queue.enqueue({ kind: JOB_KINDS.watchRegistry, payload: {} });
    await eventually(async () => (await api.queue.get(id))?.state === 'succeeded', 'a poll round', 120_000);
  };
  const tagsOf = async (account: string) =>
    (
      await api.store.db.query<{ tag: string }>(
        'SELECT tag FROM image_tag WHERE account_name = $1 AND registry = $2 AND repo = $3 ORDER BY tag',
        [account, registry.host, 'unscanned/multi'],
      )
    ).rows.map((r) => r.tag);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-watch-repo-'));
    upstream = await startRegistry('tls-basic');
    paging = await startPagingProxy(upstream, 2);
    registry = paging.registry;
    const base = await getFixtureImage('base');
    // Five tags before anyone watches: three pages of at most two.
    for (const tag of ['old-1', 'old-2', 'old-3', 'old-4', 'old-5'])
      await pushImage(registry, `oci:${base.ociLayoutDir}:${base.tag}`, `unscanned/multi:${tag}`);
    const open = serviceOpenOptions(registry, join(root, 'cache'));
    api = await startApi(kind, open, { registryNotifications: { tokens: [{ token: TOKEN }] } });
    await api.store.registries.create({
      accountName: 'team-a',
      registry: registry.host,
      registryName: registry.host,
      registryUser: registry.username,
      registryPass: registry.password,
      registryType: 'docker_v2',
      registryVerify: true,
    });
    await api.store.subscriptions.add({
      accountName: 'team-a',
      type: 'repo_update',
      key: `${registry.host}/unscanned/multi`,
      value: JSON.stringify({ autosubscribe: true, lookuptag: 'latest', tagcount: 0 }),
      active: true,
    });
    await api.store.promotions.addRule(
      'team-a',
      promotionRuleInput.parse({
        name: 'multi',
        source: { registry: registry.host, repository: 'unscanned/multi', tag: 'v*' },
        destination: { registry: registry.host, repository: 'scanned/{name}' },
      }),
    );
    const resolveTag = createResolveImage(api.store, open, root);
    runner = new WorkerRunner(
      api.queue,
      [
        registryPushJob({ store: api.store, resolveTag }),
        watchRegistryJob({
          store: api.store,
          resolveTag,
          reader: createRegistryReader(api.store, open),
          watch: { intervalMs: 600_000, maxBackoffMs: 3_600_000 },
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
    await paging?.close();
    await upstream?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('adds the tags it lists through several pages, then finds a new tag and promotes its index', async () => {
    const pagesBefore = paging.pagesServed;
    await round();
    expect(paging.pagesServed - pagesBefore).toBe(3);
    expect(await tagsOf('team-a')).toEqual(['old-1', 'old-2', 'old-3', 'old-4', 'old-5']);
    expect(await api.store.watches.repoPollState(registry.host, 'unscanned/multi')).toMatchObject({
      lastError: null,
      tagCount: 5,
    });
    expect(await promoteJobs()).toEqual([]); // no rule matches the old tags

    const multi = await getFixtureImage('multiarch');
    await pushImage(registry, `oci:${multi.ociLayoutDir}:${multi.tag}`, 'unscanned/multi:v2');
    const indexDigest = `sha256:${createHash('sha256')
      .update(await inspectRaw(registry, 'unscanned/multi:v2'))
      .digest('hex')}`;
    expect(multi.isIndex).toBe(true);
    await round();
    expect(await tagsOf('team-a')).toContain('v2');
    const key = `${registry.host}/unscanned/multi:v2`;
    expect((await api.store.subscriptions.list('team-a', { key, type: 'tag_update' }))[0]?.active).toBe(true);
    const image = (await api.store.images.list('team-a')).find((i) => i.tags.some((t) => t.tag === 'v2'));
    expect(image?.parentDigest).toBe(indexDigest);
    const jobs = await promoteJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      accountName: 'team-a',
      repository: 'unscanned/multi',
      tag: 'v2',
      digest: indexDigest,
      trigger: { kind: 'watch' },
    });

    // Another round and the registry's own notification of the same push: nothing more.
    await round();
    const event = {
      id: 'late-notification-of-v2',
      timestamp: new Date().toISOString(),
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: indexDigest,
        repository: 'unscanned/multi',
        url: `https://${registry.host}/v2/unscanned/multi/manifests/${indexDigest}`,
        tag: 'v2',
      },
      request: { addr: '127.0.0.1:5555', host: registry.host },
      source: { addr: 'test:5000' },
    };
    const posted = await api.app.inject({
      method: 'POST',
      url: '/v1/registry/notifications',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      payload: JSON.stringify({ events: [event] }),
    });
    expect(posted.statusCode).toBe(202);
    const pushJob = await api.store.db.query<{ id: string }>('SELECT id FROM job WHERE kind = $1', [
      JOB_KINDS.registryPush,
    ]);
    for (const { id } of pushJob.rows)
      await eventually(async () => (await api.queue.get(id))?.state === 'succeeded', 'the push job', 120_000);
    expect(await promoteJobs()).toHaveLength(1);
  }, 600_000);

  it('a watched tag that moves starts a promotion of its new digest, once', async () => {
    const base = await getFixtureImage('base');
    await pushImage(registry, `oci:${base.ociLayoutDir}:${base.tag}`, 'unscanned/multi:v2');
    const moved = `sha256:${createHash('sha256')
      .update(await inspectRaw(registry, 'unscanned/multi:v2'))
      .digest('hex')}`;
    await round();
    await round();
    const jobs = await promoteJobs();
    expect(jobs.map((j) => [j.tag, j.digest, j.trigger.kind])).toEqual([
      ['v2', jobs[0]?.digest, 'watch'],
      ['v2', moved, 'watch'],
    ]);
    const seen = await api.store.watches.lastSeen('team-a', {
      registry: registry.host,
      repo: 'unscanned/multi',
      tag: 'v2',
    });
    expect([seen?.digest, seen?.parentDigest]).toContain(moved); // the account follows the tag
  }, 300_000);

  it('records why a watched repository cannot be listed, as an error event of the account', async () => {
    await api.store.subscriptions.add({
      accountName: 'team-b',
      type: 'repo_update',
      key: `${registry.host}/nothing/here`,
      value: JSON.stringify({ autosubscribe: false }),
      active: true,
    });
    await round();
    const state = await api.store.watches.repoPollState(registry.host, 'nothing/here');
    expect(state?.lastError).toMatch(/tag list of .*nothing\/here/);
    const { events } = await api.store.events.page('team-b', { type: 'system.repository.*' }, 1, 10);
    expect(events.map((e) => [e.type, e.level, e.resourceId])).toEqual([
      ['system.repository.list_tags_fail', 'error', `${registry.host}/nothing/here`],
    ]);
    expect((await api.store.watches.pollState(registry.host))?.failures).toBe(1);
  }, 300_000);
});
