/**
 * Scan-gated promotion (issue 15's target: push → present at the destination ≤ 2× `skopeo copy`
 * of the same image between the same repositories). Measured: a push event handed to the push
 * consumer, the promote job (its analysis already stored, so the layers are not analysed again;
 * the policy is evaluated each time), the copy by digest, the audit record, until the
 * destination tag answers. Baseline: `skopeo copy` of the same tag to a fresh repository of the
 * same registry (both sides mount the blobs). Real docker-registry (TLS + htpasswd), PGlite.
 * Each promotion is a new push (its own source tag, put in place before timing): a push of a
 * tag → digest already handed to the rules is not promoted again (`push_handoff`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pino from 'pino';
import { openTestDatabase } from '../test/harness/databases.js';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
import { inspectRaw, pushImage } from '../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../test/harness/registry/start-registry.js';
import { tagManifest } from '../src/core/image/backends/registry/copy.js';
import { registryClient } from '../src/core/image/backends/registry/index.js';
import { testImageOptions } from '../src/core/image/test-support/image-options.js';
import { BUILTIN_BUNDLES } from '../src/core/policy/index.js';
import { promotionRuleInput } from '../src/core/promotion/index.js';
import { createAnalyzeImage } from '../src/main/analyze-image.js';
import { createRegistryWriter } from '../src/main/registry-writer.js';
import { JobQueue } from '../src/queue/queue.js';
import { enqueuePromotionsForPush } from '../src/queue/request-promotion.js';
import { createServiceStore, type ServiceStore } from '../src/store/repositories/index.js';
import { createSecretBox } from '../src/store/repositories/secret-box.js';
import { vulnerabilityDataOf } from '../src/store/vulnerability-data.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { promoteJob } from '../src/worker/jobs/promote.js';
import { WorkerRunner } from '../src/worker/runner.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

const run = promisify(execFile);
const ACCOUNT = 'bench';
/** Promotions measured at most (warm-up included); `--runs` beyond it fails loudly. */
const MAX_RUNS = 64;

async function skopeoCopy(registry: TestRegistry, from: string, to: string): Promise<void> {
  const certs = registry.certDir ?? '';
  const creds = `${registry.username}:${registry.password}`;
  await run('skopeo', [
    'copy',
    '--insecure-policy',
    '--quiet',
    '--all',
    '--src-cert-dir',
    certs,
    '--dest-cert-dir',
    certs,
    '--src-creds',
    creds,
    '--dest-creds',
    creds,
    `docker://${registry.host}/${from}`,
    `docker://${registry.host}/${to}`,
  ]);
}

async function promoteOnce(
  store: ServiceStore,
  queue: JobQueue,
  registry: TestRegistry,
  n: number,
  digest: string,
) {
  const rule = await store.promotions.addRule(
    ACCOUNT,
    promotionRuleInput.parse({
      name: `bench ${n}`,
      source: { registry: registry.host, repository: 'unscanned/app' },
      destination: { registry: registry.host, repository: `promoted-${n}/app` },
      policyId: 'allow',
    }),
  );
  const event = {
    registry: registry.host,
    repository: 'unscanned/app',
    tag: `push-${n}`,
    digest,
    receivedFrom: 'bench',
  };
  if ((await enqueuePromotionsForPush({ store, queue }, event)) !== 1)
    throw new Error('the push queued nothing');
  for (;;) {
    const [record] = await store.promotions.listRecords(ACCOUNT, {
      repository: `promoted-${n}/app`,
      limit: 1,
    });
    if (record) {
      if (record.outcome !== 'promoted')
        throw new Error(`promotion ${record.outcome}: ${record.error ?? ''}`);
      break;
    }
    // Every 20 ms: on PGlite a tighter poll takes the one connection from the promote job it waits
    // for; the at most 20 ms it adds counts against us.
    await new Promise((r) => setTimeout(r, 20));
  }
  await store.promotions.deleteRule(ACCOUNT, rule.id);
}

export const promotionBenchmark: Benchmark = {
  name: 'promotion-push-to-destination',
  baselineLabel: 'skopeo copy of the same tag between the same repositories',
  targetRatio: 2,
  runs: 5,
  async prepare(): Promise<PreparedBenchmark> {
    const root = await mkdtemp(join(tmpdir(), 'pc-bench-promote-'));
    const [registry, app] = await Promise.all([startRegistry('tls-basic'), getFixtureImage('app')]);
    await pushImage(registry, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
    const digest = `sha256:${createHash('sha256')
      .update(await inspectRaw(registry, 'unscanned/app:1'))
      .digest('hex')}`;
    const database = await openTestDatabase('PGlite');
    const store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    const queue = new JobQueue(database.db, { backoffBaseMs: 0 });
    const open = testImageOptions({
      cacheDir: join(root, 'cache'),
      registry: { extraCaPem: [registry.caPem], timeoutMs: 30_000, retries: 2 },
    }).env;
    const analyze = createAnalyzeImage({
      environment: open,
      tempRoot: root,
      vulnerabilities: vulnerabilityDataOf(database.db, new VulnerabilityStore(database.db)),
    });
    const registryWriter = createRegistryWriter(open);
    const runner = new WorkerRunner(
      queue,
      [promoteJob({ store, analyze, registryWriter, hostId: 'bench' })],
      { owner: 'bench', concurrency: 1, pollMs: 50, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
    await store.accounts.create({ name: ACCOUNT, type: 'user' });
    await store.registries.create({
      accountName: ACCOUNT,
      registry: registry.host,
      registryName: 'bench',
      registryUser: registry.username,
      registryPass: registry.password,
      registryType: 'docker_v2',
      registryVerify: true,
    });
    const allow = BUILTIN_BUNDLES.find((b) => b.name === 'allow-all')?.document;
    await store.policies.upsert({ accountName: ACCOUNT, policyId: 'allow', name: 'allow', bundle: allow });
    // The first promotion analyses the image; every timed one finds the analysis stored.
    // Source tags for every run ahead of time (tagging is the pusher's work, not the promotion's).
    const pusher = testImageOptions({
      cacheDir: join(root, 'pusher-cache'),
      registry: { extraCaPem: [registry.caPem] },
      credentials: { [registry.host]: { username: registry.username, password: registry.password } },
    }).env;
    const source = { client: registryClient(registry.host, pusher), repository: 'unscanned/app' };
    for (let i = 0; i <= MAX_RUNS; i++)
      await tagManifest(source, digest, `push-${i}`, pusher.limits.maxManifestBytes);
    await pusher.clients.close();
    await promoteOnce(store, queue, registry, 0, digest);
    let promotions = 0;
    let copies = 0;
    return {
      measure: () => {
        if (promotions >= MAX_RUNS) throw new Error(`at most ${MAX_RUNS} runs (source tags made ahead)`);
        return promoteOnce(store, queue, registry, ++promotions, digest);
      },
      baseline: () => skopeoCopy(registry, 'unscanned/app:1', `skopeo-${++copies}/app:1`),
      async cleanup() {
        await runner.stop();
        await registryWriter.close();
        await open.clients.close();
        await database.stop();
        await registry.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
};
