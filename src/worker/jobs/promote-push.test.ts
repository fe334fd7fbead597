/**
 * Scan-gated promotion started by the registry itself: Debian's `docker-registry` (TLS +
 * htpasswd) with `notifications: endpoints:` pointing at the service's push endpoint; a push to
 * the unscanned repository reaches the promotions push consumer, the promote job copies the
 * image to the scanned repository with the same digest, and a failing image never gets there.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { stopSharedPostgres } from '../../../test/harness/databases.js';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { inspectRaw, pushImage } from '../../../test/harness/registry/push.js';
import { freePort, startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { serviceOpenOptions } from '../../../test/harness/service-fixture.js';
import { BUILTIN_BUNDLES } from '../../core/policy/index.js';
import { promotionRuleInput } from '../../core/promotion/index.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { createRegistryWriter, type ClosableRegistryWriter } from '../../main/registry-writer.js';
import { createResolveImage } from '../../main/resolve-image.js';
import { eventually } from '../../notifications/test-support/receiver.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { WorkerRunner } from '../runner.js';
import { promoteJob } from './promote.js';
import { registryPushJob } from './registry-push.js';

afterAll(() => stopSharedPostgres());

const TOKEN = 'registry-shared-token-promotion-01';

describe('promotion from registry push notifications (PostgreSQL 15, real docker-registry)', () => {
  let api: ApiHarness;
  let registry: TestRegistry;
  let runner: WorkerRunner;
  let writer: ClosableRegistryWriter;
  let root: string;

  const digestAt = async (ref: string) =>
    `sha256:${createHash('sha256')
      .update(await inspectRaw(registry, ref))
      .digest('hex')}`;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-promote-push-'));
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
    await api.store.registries.create({
      accountName: 'team-a',
      registry: registry.host,
      registryName: registry.host,
      registryUser: registry.username,
      registryPass: registry.password,
      registryType: 'docker_v2',
      registryVerify: true,
    });
    const bundle = (name: string) => BUILTIN_BUNDLES.find((b) => b.name === name)?.document;
    await api.store.policies.upsert({
      accountName: 'team-a',
      policyId: 'allow',
      name: 'allow',
      bundle: bundle('allow-all'),
    });
    await api.store.policies.upsert({
      accountName: 'team-a',
      policyId: 'deny',
      name: 'deny',
      bundle: bundle('deny-all'),
    });
    for (const [repo, policyId] of [
      ['app', 'allow'],
      ['bad', 'deny'],
    ] as const) {
      await api.store.promotions.addRule(
        'team-a',
        promotionRuleInput.parse({
          name: repo,
          source: { registry: registry.host, repository: `unscanned/${repo}` },
          destination: { registry: registry.host, repository: 'scanned/{name}' },
          policyId,
        }),
      );
    }
    writer = createRegistryWriter(open);
    const analyze = createAnalyzeImage({
      environment: open,
      tempRoot: root,
      vulnerabilities: vulnerabilityDataOf(api.store.db, new VulnerabilityStore(api.store.db)),
    });
    runner = new WorkerRunner(
      api.queue,
      [
        registryPushJob({ store: api.store, resolveTag: createResolveImage(api.store, open, root) }),
        promoteJob({ store: api.store, analyze, registryWriter: writer, hostId: 'test' }),
      ],
      { owner: 'test', concurrency: 2, pollMs: 50, drainTimeoutMs: 5_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  }, 600_000);
  afterAll(async () => {
    await runner?.stop();
    await writer?.close();
    await api?.close();
    await registry?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('a pushed image that passes appears in the scanned repository with the same digest', async () => {
    const app = await getFixtureImage('app');
    await pushImage(registry, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
    const records = () =>
      api.store.promotions.listRecords('team-a', { repository: 'unscanned/app', limit: 10 });
    await eventually(async () => (await records()).length > 0, 'the promotion record', 240_000);
    const [record] = await records();
    expect(record, record?.error).toMatchObject({ outcome: 'promoted', trigger: { kind: 'push' } });
    expect(await digestAt('scanned/app:1')).toBe(await digestAt('unscanned/app:1'));
    const listed = await api.call('alice', { method: 'GET', url: '/v1/promotions?verdict=pass' });
    expect(listed.json()).toMatchObject({
      promotions: [{ outcome: 'promoted', destination: { repository: 'scanned/app' } }],
    });
  }, 300_000);

  it('a pushed image that fails never appears there, and its record says why', async () => {
    const app = await getFixtureImage('app');
    await pushImage(registry, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/bad:1');
    const records = () =>
      api.store.promotions.listRecords('team-a', { repository: 'unscanned/bad', limit: 10 });
    await eventually(async () => (await records()).length > 0, 'the rejection record', 240_000);
    const [record] = await records();
    expect(record).toMatchObject({ outcome: 'rejected', verdict: 'fail', trigger: { kind: 'push' } });
    expect(record?.reasons.length).toBeGreaterThan(0);
    await expect(inspectRaw(registry, 'scanned/bad:1')).rejects.toThrow();
  }, 300_000);
});
