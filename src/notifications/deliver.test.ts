import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { JobQueue } from '../queue/queue.js';
import { createServiceStore, type ServiceStore } from '../store/repositories/index.js';
import { createSecretBox } from '../store/repositories/secret-box.js';
import { deliverNotificationJob } from '../worker/jobs/deliver-notification.js';
import { WorkerRunner } from '../worker/runner.js';
import { Notifier } from './notify.js';
import { NotificationEndpoints } from './endpoints.js';
import { NotificationOutbox } from './outbox.js';
import { newWebhookSecret } from './sign.js';
import { UrlGuard } from './ssrf.js';
import { debianFinding } from './test-support/findings.js';
import { eventually, TestReceiver, verifyStandardWebhook } from './test-support/receiver.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'d'.repeat(64)}`;
const TAG_A = 'registry.example/app:1';
const TAG_B = 'registry.example/app:2';

const finding = debianFinding;

interface Body {
  dataId: string;
  data: { notification_type: string; notification_payload: Record<string, unknown> };
}

describe.each(STORE_KINDS)('webhook notifications on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;
  let queue: JobQueue;
  let runner: WorkerRunner;
  let receiver: TestReceiver;
  let notifier: Notifier;
  const secret = newWebhookSecret();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    queue = new JobQueue(database.db);
    notifier = new Notifier(database.db, queue);
    await store.accounts.create({ name: 'team-a', type: 'user', email: 'sec@example.org' });
    for (const tag of [TAG_A, TAG_B]) {
      await store.subscriptions.ensureForTag('team-a', tag, false);
      const [sub] = await store.subscriptions.list('team-a', { key: tag, type: 'vuln_update' });
      await store.subscriptions.setActive('team-a', sub!.id, true);
    }
    receiver = await TestReceiver.create();
    await new NotificationEndpoints(database.db, store.box).set({
      accountName: 'team-a',
      type: 'general',
      sink: 'webhook',
      url: receiver.url,
      secret,
    });
    const job = deliverNotificationJob({
      store,
      notifications: {
        queue,
        guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }),
        options: { retryBaseMs: 20, retryMaxMs: 200, timeoutMs: 1_000 },
      },
    });
    runner = new WorkerRunner(
      queue,
      [job],
      { owner: 'test', concurrency: 2, pollMs: 20, drainTimeoutMs: 2_000 },
      pino({ level: 'silent' }),
    );
    runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await receiver.stopListening();
    await database.stop();
  });

  const attemptErrors = async (id: string) =>
    (await new NotificationOutbox(database.db).attempts(id)).map((a) => a.error ?? String(a.status));

  it('delivers every notification exactly once by id, in order per subscription, after refusals, 500s and timeouts', async () => {
    const before = [finding('CVE-2024-1', 'openssl', '3.0.1', 'High')];
    const ids: Record<string, string[]> = { [TAG_A]: [], [TAG_B]: [] };
    // Three data updates for TAG_A's image, one for TAG_B's; the receiver is down meanwhile.
    let current = before;
    for (const [n, severity] of [
      [2, 'Critical'],
      [3, 'Low'],
      [4, 'Medium'],
    ] as const) {
      const next = [...current, finding(`CVE-2024-${n}`, 'zlib', '1.2.13', severity)];
      const diff = await notifier.notifyFindingsChanged(
        'team-a',
        { digest: DIGEST, tags: [TAG_A] },
        current,
        next,
      );
      expect(diff.added.map((r) => r.vulnerability_id)).toEqual([`CVE-2024-${n}`]);
      current = next;
    }
    await notifier.notifyFindingsChanged('team-a', { digest: DIGEST, tags: [TAG_B] }, before, []);
    const { rows } = await database.db.query<{ id: string; stream: string }>(
      'SELECT id, stream FROM notification ORDER BY seq',
    );
    for (const row of rows) ids[row.stream.replace(/^vuln_update:/, '')]!.push(row.id);
    expect(ids[TAG_A]).toHaveLength(3);
    const first = ids[TAG_A]![0]!;

    await eventually(async () => (await attemptErrors(first)).includes('ECONNREFUSED'), 'a refused attempt');
    await receiver.setMode('error');
    await eventually(
      async () => (await attemptErrors(first)).includes('HTTP 500'),
      'an attempt answered 500',
    );
    await receiver.setMode('hang');
    await eventually(
      async () => (await attemptErrors(first)).some((e) => /timeout|abort/i.test(e)),
      'a timed-out attempt',
    );
    await receiver.setMode('accept');
    // Counted by id: a post the sender timed out on (a loaded machine) may arrive twice.
    await eventually(
      () => new Set(receiver.accepted.map((r) => String(r.headers['webhook-id']))).size >= 4,
      'all four notifications',
    );

    // Receivers dedupe on webhook-id (a post the receiver took but the sender saw time out is
    // sent again under the same id): after dedupe, each notification arrives exactly once.
    const seen = new Set<string>();
    const accepted = receiver.accepted
      .map((r) => ({ r, body: JSON.parse(r.body) as Body }))
      .filter(
        ({ r }) => !seen.has(String(r.headers['webhook-id'])) && seen.add(String(r.headers['webhook-id'])),
      );
    expect(accepted.map((a) => a.r.headers['webhook-id']).sort()).toEqual(
      [...ids[TAG_A]!, ...ids[TAG_B]!].sort(),
    );
    for (const { r, body } of accepted) {
      expect(verifyStandardWebhook(secret, r)).toBe(true);
      expect(body.dataId).toBe(r.headers['webhook-id']);
      expect(body.data.notification_type).toBe('vuln_update');
    }
    const streamA = accepted.filter((a) => a.body.data.notification_payload.subscription_key === TAG_A);
    expect(streamA.map((a) => a.body.dataId)).toEqual(ids[TAG_A]);
    const firstPayload = streamA[0]!.body.data.notification_payload;
    expect(firstPayload).toMatchObject({
      userId: 'team-a',
      subscription_type: 'vuln_update',
      imageDigest: DIGEST,
      diff_vulnerability_result: {
        // The engine's Vulnerability record, so receivers written for it read `vuln` and `fix`.
        added: [
          {
            vuln: 'CVE-2024-2',
            vulnerability_id: 'CVE-2024-2',
            package: 'zlib-1.2.13',
            package_name: 'zlib',
            package_version: '1.2.13',
            package_type: 'dpkg',
            package_path: 'pkgdb',
            severity: 'Critical',
            fix: '1.2.13+fix',
            feed: 'vulnerabilities',
            nvd_data: [{ id: 'CVE-2024-2', cvss_v3: { base_score: -1 } }],
          },
        ],
        removed: [],
      },
    });
    const streamB = accepted.find((a) => a.body.data.notification_payload.subscription_key === TAG_B)!;
    expect(streamB.body.data.notification_payload).toMatchObject({
      diff_vulnerability_result: { added: [], removed: [{ vulnerability_id: 'CVE-2024-1' }] },
    });
    const outbox = new NotificationOutbox(database.db);
    // A run's successes are recorded together once its posts are done (outbox `settle`).
    await eventually(
      async () => (await outbox.get('team-a', first))?.state === 'delivered',
      'the first recorded as delivered',
    );
    expect((await outbox.attempts(first)).length).toBeGreaterThanOrEqual(4);
  });

  it('queues nothing for a tag without an active subscription, or when findings did not change', async () => {
    const same = [finding('CVE-2024-9', 'bash', '5.2', 'Low')];
    const count = async () =>
      Number((await database.db.query<{ n: string }>('SELECT count(*) AS n FROM notification')).rows[0]!.n);
    const n = await count();
    await notifier.notifyFindingsChanged(
      'team-a',
      { digest: DIGEST, tags: ['registry.example/other:1'] },
      [],
      same,
    );
    await notifier.notifyFindingsChanged('team-a', { digest: DIGEST, tags: [TAG_A] }, same, same);
    expect(await count()).toBe(n);
  });

  it('gives a notification up at its deadline and goes on with the stream', async () => {
    const short = new Notifier(database.db, queue, { deadlineMs: 150 });
    await receiver.setMode('error');
    const id = await short.notify(
      'team-a',
      TAG_B,
      {
        type: 'policy_eval',
        current: {
          image_digest: DIGEST,
          status: 'fail',
          final_action: 'stop',
          policy_id: 'p',
          evaluated_at: 'now',
        },
        last: null,
      },
      { test: true },
    );
    expect(id).toBeDefined();
    await eventually(
      async () => (await new NotificationOutbox(database.db).get('team-a', id!))?.state === 'expired',
      'expiry',
    );
    await receiver.setMode('accept');
  });

  it('sends analysis_update for every tag of an analysed image, with its annotations', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    await store.images.add({
      accountName: 'team-a',
      imageDigest: digest,
      tag: { registry: 'registry.example', repo: 'app', tag: '1' },
      annotations: { team: 'payments' },
    });
    await notifier.notifyAnalysisFinished(['team-a'], digest, 'analyzed');
    await eventually(
      () => receiver.accepted.some((r) => r.body.includes('"analysis_update"') && r.body.includes(digest)),
      'the analysis_update',
    );
    const received = receiver.accepted.find((r) => r.body.includes(digest))!;
    expect(verifyStandardWebhook(secret, received)).toBe(true);
    expect((JSON.parse(received.body) as Body).data.notification_payload).toMatchObject({
      subscription_key: TAG_A,
      subscription_type: 'analysis_update',
      annotations: { team: 'payments' },
      curr_eval: { analysis_status: 'analyzed', image_digest: digest },
      last_eval: { analysis_status: 'analyzing' },
    });
  });
});
