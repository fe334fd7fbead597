/**
 * The promote job end to end on both stores, with real registries (docker-registry with TLS and
 * htpasswd; a plain one behind a proxy that refuses uploads or goes down), the real analysis,
 * real policy evaluation and the real copy engine.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { inspectRaw, pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { startWriteProxy, type WriteProxy } from '../../../test/harness/registry/write-proxy.js';
import { testImageOptions } from '../../core/image/test-support/image-options.js';
import { BUILTIN_BUNDLES } from '../../core/policy/index.js';
import { promotionRuleInput, type PromotionRuleInput } from '../../core/promotion/index.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { createRegistryWriter, type ClosableRegistryWriter } from '../../main/registry-writer.js';
import { JobQueue } from '../../queue/queue.js';
import { enqueuePromotionsForPush, requestPromotion } from '../../queue/request-promotion.js';
import { createServiceStore, type ServiceStore } from '../../store/repositories/index.js';
import type { PromotionRecord } from '../../store/repositories/promotions.js';
import { createSecretBox } from '../../store/repositories/secret-box.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { WorkerRunner } from '../runner.js';
import { onPromotedImageVerdictChanged } from './promote-recheck.js';
import { promoteJob } from './promote.js';

let root: string;
let a: TestRegistry;
let plain: TestRegistry;
/** The destination whose login the account loses (htpasswd: a password that no longer works). */
let c: TestRegistry;
let proxy: WriteProxy;
let appDigest: string;
let multiDigest: string;

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const digestAt = async (r: TestRegistry, ref: string) => sha(await inspectRaw(r, ref));
const absent = (r: TestRegistry, ref: string) =>
  inspectRaw(r, ref).then(
    () => false,
    () => true,
  );
const bundle = (name: string) => BUILTIN_BUNDLES.find((b) => b.name === name)?.document;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-promote-job-'));
  const [app, multi] = await Promise.all([getFixtureImage('app'), getFixtureImage('multiarch')]);
  [a, plain, c] = await Promise.all([
    startRegistry('tls-basic'),
    startRegistry('plain'),
    startRegistry('tls-basic'),
  ]);
  await pushImage(a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
  await pushImage(a, `oci:${multi.ociLayoutDir}:${multi.tag}`, 'unscanned/multi:1');
  await pushImage(a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/bad:1');
  appDigest = await digestAt(a, 'unscanned/app:1');
  multiDigest = await digestAt(a, 'unscanned/multi:1');
  proxy = await startWriteProxy(plain.host);
}, 600_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([a?.stop(), plain?.stop(), c?.stop()]);
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

describe.each(STORE_KINDS)('promote job on %s', (kind) => {
  const slug = kind === 'PGlite' ? 'pglite' : 'pg';
  let database: TestDatabase;
  let store: ServiceStore;
  let queue: JobQueue;
  let runner: WorkerRunner;
  let registryWriter: ClosableRegistryWriter;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    queue = new JobQueue(database.db, { backoffBaseMs: 500, backoffMaxMs: 2_000 });
    // No transport retries: the job's own retries are what these tests watch.
    const open = testImageOptions({
      cacheDir: join(root, 'cache'),
      registry: { extraCaPem: [a.caPem, c.caPem], timeoutMs: 10_000, retries: 0 },
    }).env;
    registryWriter = createRegistryWriter(open);
    const analyze = createAnalyzeImage({
      environment: open,
      tempRoot: root,
      vulnerabilities: vulnerabilityDataOf(database.db, new VulnerabilityStore(database.db)),
    });
    runner = new WorkerRunner(
      queue,
      [promoteJob({ store, analyze, registryWriter, hostId: 'test' })],
      { owner: 'w', concurrency: 1, pollMs: 100, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
    await store.accounts.create({ name: 'team-a', type: 'user' });
    await store.accounts.create({ name: 'team-b', type: 'user' });
    for (const [host, user, pass, verify] of [
      [a.host, a.username, a.password, true],
      [proxy.host, 'anonymous', 'unused', false],
      [c.host, c.username, c.password, true],
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
    await registryWriter?.close();
    await database?.stop();
  });

  const addRule = (over: Partial<PromotionRuleInput>) =>
    store.promotions.addRule(
      'team-a',
      promotionRuleInput.parse({
        name: 'gate',
        source: { registry: a.host, repository: 'unscanned/*' },
        destination: { registry: a.host, repository: `scanned-${slug}/{name}` },
        policyId: 'allow',
        ...over,
      }),
    );

  async function recordOf(promotionId: string): Promise<PromotionRecord> {
    for (;;) {
      const found = (await store.promotions.listRecords('team-a', { limit: 100 })).find(
        (r) => r.jobId === promotionId,
      );
      if (found) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('a push that passes appears at the destination with the same digest, and the record says how', async () => {
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      tags: { same: true, scannedSuffix: true, digest: false },
    });
    const event = {
      registry: a.host,
      repository: 'unscanned/app',
      tag: '1',
      digest: appDigest,
      receivedFrom: '127.0.0.1',
    };
    expect(
      await enqueuePromotionsForPush({ store, queue }, { ...event, mediaType: 'application/octet-stream' }),
    ).toBe(0);
    expect(await enqueuePromotionsForPush({ store, queue }, { ...event, tag: undefined })).toBe(0);
    expect(await enqueuePromotionsForPush({ store, queue }, event)).toBe(1);
    const records = async () =>
      await store.promotions.listRecords('team-a', { repository: 'unscanned/app', limit: 10 });
    while ((await records()).length === 0) await new Promise((r) => setTimeout(r, 200));
    const [record] = await records();
    expect(record).toMatchObject({
      outcome: 'promoted',
      verdict: 'pass',
      trigger: { kind: 'push', by: '127.0.0.1' },
      source: { digest: appDigest, tag: '1' },
      destination: { repository: `scanned-${slug}/app`, digest: appDigest, tags: ['1-scanned', '1'] },
      policy: { id: 'allow' },
    });
    expect(record?.rule.id).toBe(rule.id);
    expect(record?.steps.map((s) => s.step)).toEqual(['started', 'analysed', 'evaluated', 'copied']);
    expect(await digestAt(a, `scanned-${slug}/app:1`)).toBe(appDigest);
    expect(await digestAt(a, `scanned-${slug}/app:1-scanned`)).toBe(appDigest);
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('a failing image never reaches the destination; it is tagged quarantined and the record says why', async () => {
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/bad' },
      policyId: 'deny',
      onFailure: 'quarantine',
    });
    const image = { registry: a.host, repository: 'unscanned/bad', tag: '1', digest: appDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'alice',
    });
    const record = await recordOf(promotionId);
    expect(record).toMatchObject({
      outcome: 'quarantined',
      verdict: 'fail',
      trigger: { kind: 'manual', by: 'alice' },
    });
    expect(record.reasons.length).toBeGreaterThan(0);
    expect(record.reasons.join('\n')).toMatch(/always|stop|deny/i);
    expect(await absent(a, `scanned-${slug}/bad:1`)).toBe(true);
    expect(await digestAt(a, 'unscanned/bad:quarantined')).toBe(appDigest);
    expect((await store.events.page('team-a', {}, 1, 10)).events.map((e) => e.type)).toContain(
      'user.image.promotion.rejected',
    );
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('on failure, "leave" only records the rejection and "notify" also raises the rejection event', async () => {
    const rejections = async () =>
      (await store.events.page('team-a', {}, 1, 100)).events.filter(
        (e) => e.type === 'user.image.promotion.rejected',
      ).length;
    for (const onFailure of ['leave', 'notify'] as const) {
      const rule = await addRule({
        source: { registry: a.host, repository: 'unscanned/bad' },
        policyId: 'deny',
        onFailure,
      });
      const before = await rejections();
      const image = { registry: a.host, repository: 'unscanned/bad', tag: '1', digest: appDigest };
      const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
        kind: 'manual',
        by: 'alice',
      });
      const record = await recordOf(promotionId);
      expect(record, onFailure).toMatchObject({ outcome: 'rejected', verdict: 'fail' });
      expect(record.reasons.length).toBeGreaterThan(0);
      const steps = ['started', 'analysed', 'evaluated', ...(onFailure === 'notify' ? ['notified'] : [])];
      expect(record.steps.map((s) => s.step)).toEqual(steps);
      expect(await rejections()).toBe(before + (onFailure === 'notify' ? 1 : 0));
      expect(await absent(a, `scanned-${slug}/bad:1`)).toBe(true);
      await store.promotions.deleteRule('team-a', rule.id);
    }
  });

  it('promotes a multi-platform index whole', async () => {
    const rule = await addRule({ source: { registry: a.host, repository: 'unscanned/multi' } });
    const image = { registry: a.host, repository: 'unscanned/multi', tag: '1', digest: multiDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'alice',
    });
    const record = await recordOf(promotionId);
    expect(record.outcome, record.error).toBe('promoted');
    expect(await digestAt(a, `scanned-${slug}/multi:1`)).toBe(multiDigest);
    const index = JSON.parse((await inspectRaw(a, `scanned-${slug}/multi:1`)).toString()) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests.length).toBe(2);
    for (const child of index.manifests)
      expect(await digestAt(a, `scanned-${slug}/multi@${child.digest}`)).toBe(child.digest);
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('retries while the destination refuses uploads or is down, never writing a manifest early', async () => {
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: proxy.host, repository: `retried-${slug}/{name}` },
    });
    let refusals = 0;
    proxy.seen = [];
    proxy.refuse = (req) => {
      if (req.method !== 'PUT' || !req.url?.includes('/blobs/uploads/') || refusals > 0) return undefined;
      refusals++;
      return 403;
    };
    await proxy.stop();
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { jobId, promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    // Down first: wait until an attempt has failed, then bring it back (refusing one upload).
    while (((await queue.get(jobId))?.attempts ?? 0) < 2) await new Promise((r) => setTimeout(r, 100));
    await proxy.start();
    const record = await recordOf(promotionId);
    expect(record.outcome, record.error).toBe('promoted');
    expect(refusals).toBe(1);
    const firstManifest = proxy.seen.findIndex((s) => s.startsWith('PUT') && s.includes('/manifests/'));
    const lastBlob = proxy.seen
      .map((s) => s.startsWith('PUT') && s.includes('/blobs/uploads/'))
      .lastIndexOf(true);
    expect(firstManifest).toBeGreaterThan(lastBlob);
    expect(await digestAt(plain, `retried-${slug}/app:1`)).toBe(appDigest);
    proxy.refuse = undefined;
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('records the failure when the destination keeps refusing, and leaves no manifest there', async () => {
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: proxy.host, repository: `refused-${slug}/{name}` },
    });
    proxy.refuse = (req) => (req.method === 'PUT' && req.url?.includes('/blobs/uploads/') ? 401 : undefined);
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    const record = await recordOf(promotionId);
    proxy.refuse = undefined;
    expect(record).toMatchObject({ outcome: 'failed', verdict: 'pass' });
    expect(record.error).toMatch(/unauthorized|401/i);
    expect(record.steps.find((s) => s.step === 'started')?.detail).toEqual({
      attempt: 4,
      previousError: expect.stringMatching(/unauthorized|401/i),
    });
    expect(await absent(plain, `refused-${slug}/app@${appDigest}`)).toBe(true);
    expect(await absent(plain, `refused-${slug}/app:1`)).toBe(true);
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('retries while the destination refuses revoked credentials, and promotes once they are restored', async () => {
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: c.host, repository: `revoked-${slug}/{name}` },
    });
    const login = {
      accountName: 'team-a',
      registry: c.host,
      registryName: c.host,
      registryUser: c.username,
      registryType: 'docker_v2',
      registryVerify: true,
    } as const;
    // The account's password for the destination no longer works there (rotated, revoked).
    await store.registries.update({ ...login, registryPass: 'revoked' });
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { jobId, promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    while (((await queue.get(jobId))?.attempts ?? 0) < 2) await new Promise((r) => setTimeout(r, 100));
    // Restored at once (two attempts are left); what the refused attempts saw is checked after.
    await store.registries.update({ ...login, registryPass: c.password });
    const record = await recordOf(promotionId);
    expect(record.outcome, record.error).toBe('promoted');
    const started = record.steps.find((s) => s.step === 'started')?.detail;
    expect(started?.attempt).toBeGreaterThan(1);
    expect(started?.previousError).toMatch(/unauthorized|401|denied/i);
    expect(await digestAt(c, `revoked-${slug}/app:1`)).toBe(appDigest);
    await store.promotions.deleteRule('team-a', rule.id);
  });

  it('a promoted image that fails after a change is notified and quarantined at the destination', async () => {
    const rule = await addRule({
      source: { registry: a.host, repository: 'unscanned/app' },
      destination: { registry: a.host, repository: `recheck-${slug}/{name}` },
      policyId: 'changing',
      onRecheckFailure: 'quarantine',
    });
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'changing',
      name: 'changing',
      bundle: bundle('allow-all'),
    });
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
      kind: 'manual',
      by: 'ci',
    });
    expect((await recordOf(promotionId)).outcome).toBe('promoted');
    const deps = {
      store,
      registryWriter,
      hostId: 'test',
    };
    expect(
      await onPromotedImageVerdictChanged(deps, { imageDigest: appDigest, accountName: 'team-a' }),
    ).toEqual([]);
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'changing',
      name: 'changing',
      bundle: bundle('deny-all'),
    });
    const results = await onPromotedImageVerdictChanged(deps, {
      imageDigest: appDigest,
      accountName: 'team-a',
    });
    expect(results.filter((r) => r.action === 'quarantine')).toHaveLength(1);
    expect(await digestAt(a, `recheck-${slug}/app:quarantined`)).toBe(appDigest);
    const rechecked = await store.promotions.listRecords('team-a', { outcome: 'recheck_failed', limit: 10 });
    expect(rechecked[0]).toMatchObject({ trigger: { kind: 'recheck' }, verdict: 'fail' });
    // Still failing: nothing new happens.
    expect(
      await onPromotedImageVerdictChanged(deps, { imageDigest: appDigest, accountName: 'team-a' }),
    ).toEqual([]);
    expect(await store.promotions.listRecords('team-b', { limit: 10 })).toEqual([]);
  });
});
