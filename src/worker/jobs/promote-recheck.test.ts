/**
 * Re-check of promoted images after a vulnerability-data change, end to end on both stores:
 * the `app` fixture passes `reject-critical` against a feed with nothing affecting it and is promoted (real
 * docker-registry with TLS and htpasswd); then a feed delta brings a real advisory for a package
 * in it (GHSA-xvch-5gv4-984h, minimist < 1.2.6, critical). The monitoring re-match, wired to the
 * re-check as the service wires it, tells the subscribers of the destination tags through a real
 * webhook receiver, and the rule that says so tags the image quarantined at the destination.
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
import { testImageOptions } from '../../core/image/test-support/image-options.js';
import { BUILTIN_BUNDLES } from '../../core/policy/index.js';
import { promotionRuleInput, type PromotionRuleInput } from '../../core/promotion/index.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { createRegistryWriter, type ClosableRegistryWriter } from '../../main/registry-writer.js';
import { rematchAnalyses } from '../../main/rematch-analyses.js';
import { NotificationEndpoints } from '../../notifications/endpoints.js';
import { newWebhookSecret } from '../../notifications/sign.js';
import { UrlGuard } from '../../notifications/ssrf.js';
import {
  eventually,
  TestReceiver,
  verifyStandardWebhook,
} from '../../notifications/test-support/receiver.js';
import { JobQueue } from '../../queue/queue.js';
import { requestPromotion } from '../../queue/request-promotion.js';
import { createServiceStore, type ServiceStore } from '../../store/repositories/index.js';
import type { PromotionRecord } from '../../store/repositories/promotions.js';
import { createSecretBox } from '../../store/repositories/secret-box.js';
import { loadSyntheticFeed } from '../../store/test-support/synthetic-feed.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { WorkerRunner } from '../runner.js';
import { deliverNotificationJob } from './deliver-notification.js';
import { onPromotedImageVerdictChanged, recheckPromotionsOnChange } from './promote-recheck.js';
import { promoteJob } from './promote.js';

let root: string;
let a: TestRegistry;
let appDigest: string;

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const digestAt = async (r: TestRegistry, ref: string) => sha(await inspectRaw(r, ref));
const absent = (r: TestRegistry, ref: string) =>
  inspectRaw(r, ref).then(
    () => false,
    () => true,
  );

/** GHSA-xvch-5gv4-984h (CVE-2021-44906): prototype pollution in minimist before 1.2.6. */
const MINIMIST_ADVISORY = {
  id: 'GHSA-xvch-5gv4-984h',
  aliases: ['CVE-2021-44906'],
  namespace: 'osv:npm',
  packageName: 'minimist',
  fixed: '1.2.6',
  severity: 'CRITICAL' as const,
};

interface Delivered {
  data: {
    notification_type: string;
    notification_payload: {
      subscription_key: string;
      curr_eval?: { status: string; image_digest?: string };
    };
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-promote-recheck-'));
  const app = await getFixtureImage('app');
  a = await startRegistry('tls-basic');
  await pushImage(a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
  appDigest = await digestAt(a, 'unscanned/app:1');
}, 600_000);

afterAll(async () => {
  await a?.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

describe.each(STORE_KINDS)('re-check of promoted images after a data change on %s', (kind) => {
  const slug = kind === 'PGlite' ? 'pglite' : 'pg';
  let database: TestDatabase;
  let store: ServiceStore;
  let queue: JobQueue;
  let runner: WorkerRunner;
  let registryWriter: ClosableRegistryWriter;
  let vulnerabilities: VulnerabilityStore;
  let receiver: TestReceiver;
  const secret = newWebhookSecret();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    queue = new JobQueue(database.db, { backoffBaseMs: 500, backoffMaxMs: 2_000 });
    const open = testImageOptions({
      cacheDir: join(root, `cache-${slug}`),
      registry: { extraCaPem: [a.caPem], timeoutMs: 10_000, retries: 1 },
    }).env;
    registryWriter = createRegistryWriter(open);
    vulnerabilities = new VulnerabilityStore(database.db);
    const analyze = createAnalyzeImage({
      environment: open,
      tempRoot: root,
      vulnerabilities: vulnerabilityDataOf(database.db, vulnerabilities),
    });
    receiver = await TestReceiver.create();
    await receiver.setMode('accept');
    runner = new WorkerRunner(
      queue,
      [
        promoteJob({ store, analyze, registryWriter, hostId: 'test' }),
        deliverNotificationJob({
          store,
          notifications: { queue, guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }) },
        }),
      ],
      { owner: 'w', concurrency: 2, pollMs: 50, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
    await store.accounts.create({ name: 'team-a', type: 'user' });
    await store.registries.create({
      accountName: 'team-a',
      registry: a.host,
      registryName: a.host,
      registryUser: a.username,
      registryPass: a.password,
      registryType: 'docker_v2',
      registryVerify: true,
    });
    await store.policies.upsert({
      accountName: 'team-a',
      policyId: 'critical',
      name: 'reject-critical',
      bundle: BUILTIN_BUNDLES.find((b) => b.name === 'reject-critical')?.document,
    });
    await new NotificationEndpoints(database.db, store.box).set({
      accountName: 'team-a',
      type: 'policy_eval',
      sink: 'webhook',
      url: receiver.url,
      secret,
    });
    // reject-critical fails closed when no data covers the image's distro or ecosystems
    // (vulnerability_data_unavailable): the data covers them, with nothing affecting the image.
    await loadSyntheticFeed(
      vulnerabilities,
      'synthetic-baseline',
      ['debian:12', 'osv:npm', 'osv:PyPI', 'osv:RubyGems', 'osv:Go', 'osv:Maven'].map((namespace, i) => ({
        id: `CVE-2099-000${i}`,
        namespace,
        packageName: 'not-installed-anywhere',
        fixed: '1.0',
      })),
    );
  }, 600_000);
  afterAll(async () => {
    await runner?.stop();
    await receiver?.stopListening();
    await registryWriter?.close();
    await database?.stop();
  });

  const addRule = (over: Partial<PromotionRuleInput>) =>
    store.promotions.addRule(
      'team-a',
      promotionRuleInput.parse({
        name: 'gate',
        source: { registry: a.host, repository: 'unscanned/app' },
        destination: { registry: a.host, repository: `scanned-${slug}/{name}` },
        policyId: 'critical',
        ...over,
      }),
    );

  async function promoted(promotionId: string): Promise<PromotionRecord> {
    for (;;) {
      const found = (await store.promotions.listRecords('team-a', { limit: 100 })).find(
        (r) => r.jobId === promotionId,
      );
      if (found) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function subscribe(tag: string): Promise<void> {
    await store.subscriptions.ensureForTag('team-a', tag, true);
    for (const sub of await store.subscriptions.list('team-a', { key: tag, type: 'policy_eval' }))
      await store.subscriptions.update('team-a', sub.id, { active: true });
  }

  it('a feed delta that fails a promoted image notifies (subscribed or not); the quarantine rule also tags it', async () => {
    const notifyOnly = await addRule({
      destination: { registry: a.host, repository: `notified-${slug}/{name}` },
      tags: { same: false, scannedSuffix: true, digest: false },
    });
    const quarantine = await addRule({
      destination: { registry: a.host, repository: `quarantined-${slug}/{name}` },
      onRecheckFailure: 'quarantine',
    });
    expect(notifyOnly.onRecheckFailure).toBe('notify');
    const image = { registry: a.host, repository: 'unscanned/app', tag: '1', digest: appDigest };
    for (const rule of [notifyOnly, quarantine]) {
      const { promotionId } = await requestPromotion({ store, queue }, rule, image, {
        kind: 'manual',
        by: 'ci',
      });
      const record = await promoted(promotionId);
      expect(record.outcome, record.error).toBe('promoted');
      expect(record.verdict).toBe('pass');
    }
    const notifiedTag = `${a.host}/notified-${slug}/app:1-scanned`;
    const quarantinedTag = `${a.host}/quarantined-${slug}/app:1`;
    expect(await digestAt(a, `notified-${slug}/app:1-scanned`)).toBe(appDigest);
    expect(await digestAt(a, `quarantined-${slug}/app:1`)).toBe(appDigest);
    // Only one tag is subscribed to: the rule's own "notify" needs no subscription.
    await subscribe(notifiedTag);

    // The data changes: the monitoring re-match runs on the delta and re-checks what changed.
    const keys = await loadSyntheticFeed(vulnerabilities, 'synthetic-recheck', [MINIMIST_ADVISORY]);
    expect(keys).toEqual([{ namespace: 'osv:npm', packageName: 'minimist' }]);
    const failures: unknown[] = [];
    const summary = await rematchAnalyses(store, vulnerabilityDataOf(database.db, vulnerabilities), keys, {
      onFindingsChanged: recheckPromotionsOnChange({ store, registryWriter, hostId: 'test' }, (err) =>
        failures.push(err),
      ),
    });
    expect(failures).toEqual([]);
    expect(summary).toMatchObject({ rematched: 1, changed: 1 });

    await eventually(() => receiver.accepted.length >= 2, 'policy_eval for both destination tags');
    const got = receiver.accepted.map((r) => {
      expect(verifyStandardWebhook(secret, r)).toBe(true);
      const body = JSON.parse(r.body) as Delivered;
      const p = body.data.notification_payload;
      return `${body.data.notification_type} ${p.subscription_key} ${p.curr_eval?.status}`;
    });
    expect(got.sort()).toEqual([`policy_eval ${notifiedTag} fail`, `policy_eval ${quarantinedTag} fail`]);

    // Quarantined at the destination by the rule that says so; notify-only leaves it alone.
    expect(await digestAt(a, `quarantined-${slug}/app:quarantined`)).toBe(appDigest);
    expect(await absent(a, `notified-${slug}/app:quarantined`)).toBe(true);
    const rechecks = await store.promotions.listRecords('team-a', { outcome: 'recheck_failed', limit: 10 });
    expect(rechecks.map((r) => [r.rule.id, r.steps.map((s) => s.step).join(',')]).sort()).toEqual(
      [
        [notifyOnly.id, 'evaluated,notified'],
        [quarantine.id, 'evaluated,quarantined,notified'],
      ].sort(),
    );
    for (const r of rechecks) {
      expect(r).toMatchObject({ verdict: 'fail', trigger: { kind: 'recheck' } });
      expect(r.reasons.join('\n')).toMatch(/GHSA-xvch-5gv4-984h|CVE-2021-44906/);
    }

    // The same delta again changes no findings: nothing is re-checked, nothing more is sent.
    const again = await rematchAnalyses(store, vulnerabilityDataOf(database.db, vulnerabilities), keys, {
      onFindingsChanged: recheckPromotionsOnChange({ store, registryWriter, hostId: 'test' }, (err) =>
        failures.push(err),
      ),
    });
    expect(again.changed).toBe(0);
    expect(
      await onPromotedImageVerdictChanged(
        { store, registryWriter, hostId: 'test' },
        { imageDigest: appDigest, accountName: 'team-a' },
      ),
    ).toEqual([]);
    expect(receiver.accepted).toHaveLength(2);
  }, 600_000);
});
