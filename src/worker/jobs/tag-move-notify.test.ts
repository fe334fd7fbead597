/**
 * Issue 13: a watched tag moves to a new digest (Debian's real `docker-registry`, TLS + basic
 * auth) and the new digest is analysed: the receiver (a real HTTP server on 127.0.0.1) gets
 * `tag_update`, then `vuln_update` with the findings diff from the tag's PREVIOUS digest to the
 * new one, and `policy_eval` when the verdict changed, on both stores. The first sighting comes
 * from a watcher's poll, the move from a registry push event (`handlePush`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { loadFeeds, serviceOpenOptions } from '../../../test/harness/service-fixture.js';
import type { Finding } from '../../core/matching/types.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { createRegistryReader } from '../../main/registry-reader.js';
import { createResolveImage } from '../../main/resolve-image.js';
import { diffFindings } from '../../notifications/diff.js';
import { NotificationEndpoints } from '../../notifications/endpoints.js';
import { newWebhookSecret } from '../../notifications/sign.js';
import { UrlGuard } from '../../notifications/ssrf.js';
import {
  eventually,
  TestReceiver,
  verifyStandardWebhook,
} from '../../notifications/test-support/receiver.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import { JobQueue } from '../../queue/queue.js';
import { createServiceStore, type ServiceStore } from '../../store/repositories/index.js';
import { createSecretBox } from '../../store/repositories/secret-box.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { WorkerRunner } from '../runner.js';
import { analyzeImageJob } from './analyze-image.js';
import { deliverNotificationJob } from './deliver-notification.js';
import { registryPushJob } from './registry-push.js';
import { watchRegistryJob } from './watch-registry.js';

let registry: TestRegistry;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-tag-move-'));
  registry = await startRegistry('tls-basic');
}, 600_000);
afterAll(async () => {
  await registry?.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

interface Delivered {
  type: string;
  payload: Record<string, unknown>;
}

describe.each(STORE_KINDS)('a watched tag moved to a new digest, on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let queue: JobQueue;
  let runner: WorkerRunner;
  let receiver: TestReceiver;
  let secret: string;
  const repo = `moving/${kind === 'PGlite' ? 'lite' : 'pg'}`;
  const tag = () => `${registry.host}/${repo}:1`;
  const delivered = (): Delivered[] =>
    receiver.accepted.map((a) => {
      const body = JSON.parse(a.body) as {
        data: { notification_type: string; notification_payload: Record<string, unknown> };
      };
      return { type: body.data.notification_type, payload: body.data.notification_payload };
    });
  const ofType = (type: string) => delivered().filter((d) => d.type === type);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const vulnerabilities = vulnerabilityDataOf(database.db, await loadFeeds(database.db));
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    queue = new JobQueue(database.db, { backoffBaseMs: 0 });
    await store.accounts.create({ name: 'team-a', type: 'user' });
    await store.registries.create({
      accountName: 'team-a',
      registry: registry.host,
      registryName: registry.host,
      registryUser: registry.username,
      registryPass: registry.password,
      registryType: 'docker_v2',
      registryVerify: true,
    });
    receiver = await TestReceiver.create();
    await receiver.setMode('accept');
    secret = newWebhookSecret();
    await new NotificationEndpoints(store.db, store.box).set({
      accountName: 'team-a',
      type: 'general',
      sink: 'webhook',
      url: receiver.url,
      secret,
    });
    // A bundle the Debian-only `base` passes and `app` (npm packages with advisories) fails, so
    // the move changes the verdict and policy_eval must follow.
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'non-os',
      name: 'reject-non-os-vulnerabilities',
      active: true,
      bundle: {
        id: 'non-os',
        name: 'reject-non-os-vulnerabilities',
        version: '1_0',
        policies: [
          {
            id: 'non-os-policy',
            name: 'non-os',
            version: '1_0',
            rules: [
              {
                id: 'non-os-1',
                gate: 'vulnerabilities',
                trigger: 'package',
                action: 'STOP',
                params: [
                  { name: 'package_type', value: 'non-os' },
                  { name: 'severity_comparison', value: '>=' },
                  { name: 'severity', value: 'unknown' },
                ],
              },
            ],
          },
        ],
        mappings: [
          {
            id: 'm',
            name: 'all',
            registry: '*',
            repository: '*',
            image: { type: 'tag', value: '*' },
            policy_ids: ['non-os-policy'],
            whitelist_ids: [],
          },
        ],
        whitelists: [],
      },
    });
    await store.subscriptions.ensureForTag('team-a', tag(), true);
    for (const type of ['vuln_update', 'policy_eval']) {
      const [sub] = await store.subscriptions.list('team-a', { key: tag(), type });
      await store.subscriptions.setActive('team-a', sub!.id, true);
    }
    await mkdir(join(root, kind), { recursive: true });
    const open = serviceOpenOptions(registry, join(root, kind, 'cache'));
    const resolveTag = createResolveImage(store, open, join(root, kind));
    runner = new WorkerRunner(
      queue,
      [
        analyzeImageJob({
          store,
          analyze: createAnalyzeImage({ environment: open, tempRoot: root, vulnerabilities }),
          hostId: 'test',
        }),
        registryPushJob({ store, resolveTag }),
        watchRegistryJob({ store, resolveTag, reader: createRegistryReader(store, open) }),
        deliverNotificationJob({
          store,
          notifications: { guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }) },
        }),
      ],
      { owner: 'test', concurrency: 2, pollMs: 50, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  }, 600_000);
  afterAll(async () => {
    await runner?.stop();
    await receiver?.stopListening();
    await database?.stop();
  });

  const analysed = async (digest: string) =>
    (await store.images.get('team-a', digest))?.analysisStatus === 'analyzed' &&
    (await store.evaluations.latest('team-a', digest, tag())) !== undefined;
  /** Waits for the analysis and first evaluation; on a timeout, says what the jobs did. */
  const waitAnalysed = async (digest: string, what: string) => {
    try {
      await eventually(() => analysed(digest), what, 300_000);
    } catch (err) {
      const jobs = await store.db.query('SELECT kind, state, attempts, last_error FROM job ORDER BY id');
      const images = await store.db.query('SELECT image_digest, analysis_status, analysis_error FROM image');
      const poll = await store.watches.pollState(registry.host);
      throw new Error(
        `${(err as Error).message}: ${JSON.stringify({ jobs: jobs.rows, images: images.rows, poll })}`,
      );
    }
  };

  it('diffs vuln_update and policy_eval against the digest the tag pointed at before', async () => {
    const [before, after] = await Promise.all([getFixtureImage('base'), getFixtureImage('app')]);
    const a = before.manifests[0]!.manifestDigest;
    const b = after.manifests[0]!.manifestDigest;
    expect(a).not.toBe(b);

    // A under the watched tag, seen by a poll: tag_update, analysis; nothing to diff against.
    await pushImage(registry, `oci:${before.ociLayoutDir}:${before.tag}`, `${repo}:1`);
    const { id } = await queue.enqueue({ kind: JOB_KINDS.watchRegistry, payload: {} });
    await eventually(async () => (await queue.get(id))?.state === 'succeeded', 'a poll round', 120_000);
    await waitAnalysed(a, 'the analysis of A');
    await eventually(() => ofType('analysis_update').length === 1, 'analysis_update of A', 60_000);
    expect(ofType('tag_update').map((d) => [d.payload.last_eval, d.payload.curr_eval])).toEqual([[[], [a]]]);
    expect(ofType('vuln_update')).toEqual([]);

    // B under the same tag, announced as a registry push: the diff A -> B follows B's analysis.
    await pushImage(registry, `oci:${after.ociLayoutDir}:${after.tag}`, `${repo}:1`);
    await queue.enqueue({
      kind: JOB_KINDS.registryPush,
      payload: {
        registry: registry.host,
        repository: repo,
        tag: '1',
        digest: b,
        receivedFrom: 'test',
        eventId: `${kind}-push-b`,
      },
    });
    await waitAnalysed(b, 'the analysis of B');
    const expected = diffFindings(
      (await store.analyses.get(a))!.findings as Finding[],
      (await store.analyses.get(b))!.findings as Finding[],
    );
    expect(expected.added.length + expected.removed.length + expected.updated.length).toBeGreaterThan(0);
    await eventually(() => ofType('vuln_update').length === 1, 'vuln_update A -> B', 60_000);
    const lastVerdict = (await store.evaluations.latest('team-a', a, tag()))!.status;
    const nowVerdict = (await store.evaluations.latest('team-a', b, tag()))!.status;
    expect([lastVerdict, nowVerdict]).toEqual(['pass', 'fail']);
    await eventually(() => ofType('policy_eval').length === 1, 'policy_eval A -> B', 60_000);

    expect(ofType('tag_update').map((d) => [d.payload.last_eval, d.payload.curr_eval])).toEqual([
      [[], [a]],
      [[a], [b]],
    ]);
    const [vuln] = ofType('vuln_update');
    expect(vuln!.payload.imageDigest).toBe(b);
    expect(vuln!.payload.subscription_key).toBe(tag());
    const diff = vuln!.payload.diff_vulnerability_result as typeof expected;
    const ids = (rows: typeof expected.added) => rows.map((r) => `${r.vulnerability_id} ${r.package}`).sort();
    expect(ids(diff.added)).toEqual(ids(expected.added));
    expect(ids(diff.removed)).toEqual(ids(expected.removed));
    expect(ids(diff.updated)).toEqual(ids(expected.updated));
    const policy = ofType('policy_eval');
    expect(policy).toHaveLength(1);
    expect(policy[0]!.payload.last_eval).toMatchObject({ image_digest: a, status: 'pass' });
    expect(policy[0]!.payload.curr_eval).toMatchObject({ image_digest: b, status: 'fail' });
    // The tag_update of the move arrived before B's vuln_update; every delivery is signed.
    const order = delivered().map(
      (d) => `${d.type}:${JSON.stringify(d.payload.curr_eval ?? d.payload.imageDigest)}`,
    );
    expect(order.indexOf(`tag_update:${JSON.stringify([b])}`)).toBeLessThan(
      order.indexOf(`vuln_update:${JSON.stringify(b)}`),
    );
    expect(receiver.accepted.every((r) => verifyStandardWebhook(secret, r))).toBe(true);
    const events = await store.events.page('team-a', {}, 1, 50);
    expect(events.events.map((e) => e.type)).toContain('user.checks.tag.vulnerabilities.update');
  }, 900_000);
});
