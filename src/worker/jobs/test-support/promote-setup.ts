/**
 * What the promote job's end-to-end tests share: three real registries (docker-registry with TLS
 * and htpasswd twice; a plain one behind a proxy that refuses uploads or goes down) holding the
 * fixture images, and per store kind a worker running the promote job with the real analysis,
 * policy evaluation and copy engine, for the account `team-a` with a login to each registry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import {
  openTestDatabase,
  stopSharedPostgres,
  type StoreKind,
  type TestDatabase,
} from '../../../../test/harness/databases.js';
import { getFixtureImage } from '../../../../test/harness/fixtures/index.js';
import { inspectRaw, pushImage } from '../../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../../test/harness/registry/start-registry.js';
import { startWriteProxy, type WriteProxy } from '../../../../test/harness/registry/write-proxy.js';
import { testImageOptions } from '../../../core/image/test-support/image-options.js';
import { BUILTIN_BUNDLES } from '../../../core/policy/index.js';
import { promotionRuleInput, type PromotionRuleInput } from '../../../core/promotion/index.js';
import { createAnalyzeImage } from '../../../main/analyze-image.js';
import { createRegistryWriter, type ClosableRegistryWriter } from '../../../main/registry-writer.js';
import { JobQueue } from '../../../queue/queue.js';
import { createServiceStore, type ServiceStore } from '../../../store/repositories/index.js';
import type { PromotionRecord } from '../../../store/repositories/promotions.js';
import { createSecretBox } from '../../../store/repositories/secret-box.js';
import { vulnerabilityDataOf } from '../../../store/vulnerability-data.js';
import { VulnerabilityStore } from '../../../store/vulnerability-store.js';
import { WorkerRunner } from '../../runner.js';
import { promoteJob } from '../promote.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const digestAt = async (r: TestRegistry, ref: string) => sha(await inspectRaw(r, ref));
export const absent = (r: TestRegistry, ref: string) =>
  inspectRaw(r, ref).then(
    () => false,
    () => true,
  );
export const bundle = (name: string) => BUILTIN_BUNDLES.find((b) => b.name === name)?.document;

export interface PromoteRegistries {
  root: string;
  a: TestRegistry;
  plain: TestRegistry;
  /** The destination whose login the account loses (htpasswd: a password that no longer works). */
  c: TestRegistry;
  proxy: WriteProxy;
  appDigest: string;
  multiDigest: string;
}

/** Starts the registries before the file's tests (filled in then) and stops them after. */
export function usePromoteRegistries(): PromoteRegistries {
  const r = {} as PromoteRegistries;
  beforeAll(async () => {
    r.root = await mkdtemp(join(tmpdir(), 'pc-promote-job-'));
    const [app, multi] = await Promise.all([getFixtureImage('app'), getFixtureImage('multiarch')]);
    [r.a, r.plain, r.c] = await Promise.all([
      startRegistry('tls-basic'),
      startRegistry('plain'),
      startRegistry('tls-basic'),
    ]);
    await pushImage(r.a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
    await pushImage(r.a, `oci:${multi.ociLayoutDir}:${multi.tag}`, 'unscanned/multi:1');
    await pushImage(r.a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/bad:1');
    r.appDigest = await digestAt(r.a, 'unscanned/app:1');
    r.multiDigest = await digestAt(r.a, 'unscanned/multi:1');
    r.proxy = await startWriteProxy(r.plain.host);
  }, 600_000);
  afterAll(async () => {
    await r.proxy?.stop();
    await Promise.all([r.a?.stop(), r.plain?.stop(), r.c?.stop()]);
    await stopSharedPostgres();
    if (r.root) await rm(r.root, { recursive: true, force: true });
  });
  return r;
}

export interface PromoteWorker {
  slug: string;
  store: ServiceStore;
  queue: JobQueue;
  registryWriter: ClosableRegistryWriter;
  addRule(over: Partial<PromotionRuleInput>): ReturnType<ServiceStore['promotions']['addRule']>;
  recordOf(promotionId: string): Promise<PromotionRecord>;
}

/** Inside a `describe` per store kind: a running promote worker (filled in before its tests). */
export function usePromoteWorker(kind: StoreKind, r: PromoteRegistries): PromoteWorker {
  const w = { slug: kind === 'PGlite' ? 'pglite' : 'pg' } as PromoteWorker;
  let database: TestDatabase;
  let runner: WorkerRunner;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    const queue = new JobQueue(database.db, { backoffBaseMs: 500, backoffMaxMs: 2_000 });
    // No transport retries: the job's own retries are what these tests watch.
    const open = testImageOptions({
      cacheDir: join(r.root, 'cache'),
      registry: { extraCaPem: [r.a.caPem, r.c.caPem], timeoutMs: 10_000, retries: 0 },
    }).env;
    const registryWriter = createRegistryWriter(open);
    const analyze = createAnalyzeImage({
      environment: open,
      tempRoot: r.root,
      vulnerabilities: vulnerabilityDataOf(database.db, new VulnerabilityStore(database.db)),
    });
    runner = new WorkerRunner(
      queue,
      [promoteJob({ store, analyze, registryWriter, hostId: 'test' })],
      { owner: 'w', concurrency: 1, pollMs: 100, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
    Object.assign(w, { store, queue, registryWriter });
    await store.accounts.create({ name: 'team-a', type: 'user' });
    await store.accounts.create({ name: 'team-b', type: 'user' });
    for (const [host, user, pass, verify] of [
      [r.a.host, r.a.username, r.a.password, true],
      [r.proxy.host, 'anonymous', 'unused', false],
      [r.c.host, r.c.username, r.c.password, true],
    ] as const) {
      await store.registries.create({
        accountName: 'team-a',
        registry: host,
        registryName: host,
        registryUser: user,
        registryPass: pass,
        registryType: 'docker_v2',
        registryVerify: verify,
      });
    }
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'allow',
      name: 'allow',
      bundle: bundle('allow-all'),
    });
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'deny',
      name: 'deny',
      bundle: bundle('deny-all'),
    });
  }, 600_000);
  afterAll(async () => {
    await runner?.stop();
    await w.registryWriter?.close();
    await database?.stop();
  });

  w.addRule = (over) =>
    w.store.promotions.addRule(
      'team-a',
      promotionRuleInput.parse({
        name: 'gate',
        source: { registry: r.a.host, repository: 'unscanned/*' },
        destination: { registry: r.a.host, repository: `scanned-${w.slug}/{name}` },
        policyId: 'allow',
        ...over,
      }),
    );
  w.recordOf = async (promotionId) => {
    for (;;) {
      const found = (await w.store.promotions.listRecords('team-a', { limit: 100 })).find(
        (rec) => rec.jobId === promotionId,
      );
      if (found) return found;
      await new Promise((res) => setTimeout(res, 200));
    }
  };
  return w;
}
