/**
 * Notification delivery (issue 13), on PGlite and on a PostgreSQL server, through the real
 * pipeline: Notifier (outbox row + deliver-notification job), WorkerRunner with the
 * deliver-notification job, a real HTTP receiver on 127.0.0.1 (src/notifications/test-support).
 * - `notify-throughput-*`: NOTES notifications over STREAMS subscriptions queued, then delivered
 *   signed by WORKERS slots until the receiver has every one (target >= 200 deliveries/s, held
 *   to the whole: queueing and delivery). Baseline: the same number of signed POSTs sent
 *   straight to the receiver, one at a time (what HTTP alone costs). Deliveries/s are printed.
 * - `notify-dead-receiver-memory-*`: 100,000 notifications queued (bulk rows shaped as the
 *   Notifier writes them) for a receiver that refuses connections; the worker retries with a
 *   short backoff while RSS and heap are sampled each second. Printed: first and last samples
 *   and the growth over the window (target: flat). The table's time is the window itself.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { fetch } from 'undici';
import type { FindingsDiff } from '../src/notifications/diff.js';
import { NotificationEndpoints } from '../src/notifications/endpoints.js';
import { Notifier } from '../src/notifications/notify.js';
import { notificationData, notificationPayload } from '../src/notifications/payloads.js';
import { newWebhookSecret, signWebhook } from '../src/notifications/sign.js';
import { UrlGuard } from '../src/notifications/ssrf.js';
import { debianRow } from '../src/notifications/test-support/findings.js';
import { TestReceiver } from '../src/notifications/test-support/receiver.js';
import { JobQueue } from '../src/queue/queue.js';
import { migrate } from '../src/store/migrate.js';
import { createServiceStore, type ServiceStore } from '../src/store/repositories/index.js';
import { createSecretBox } from '../src/store/repositories/secret-box.js';
import { openPglite, openPostgres, type Sql } from '../src/store/sql.js';
import { deliverNotificationJob } from '../src/worker/jobs/deliver-notification.js';
import { WorkerRunner } from '../src/worker/runner.js';
import { startPostgres, type PostgresServer } from '../test/harness/postgres.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

const NOTES = 1_000;
const STREAMS = 50;
const WORKERS = 4;
const TARGET_PER_SECOND = 200;
const DEAD_NOTES = Number(process.env.PORTCULLIS_BENCH_DEAD_NOTIFICATIONS ?? 100_000);
const WINDOW_MS = 20_000;
/** "Memory flat": RSS over the window's last 3 s against its first 3 s, and against before queueing. */
const RSS_GROWTH_LIMIT_MB = 64;

type Kind = 'pglite' | 'postgres';

interface Rig {
  db: Sql;
  store: ServiceStore;
  queue: JobQueue;
  receiver: TestReceiver;
  secret: string;
  tags: string[];
  runner(options: { retryBaseMs: number; retryMaxMs: number }): WorkerRunner;
  close(): Promise<void>;
}

async function rig(kind: Kind): Promise<Rig> {
  let server: PostgresServer | undefined;
  let db: Sql;
  if (kind === 'pglite') db = await openPglite();
  else {
    server = await startPostgres();
    db = await openPostgres(server.url);
  }
  await migrate(db);
  const store = createServiceStore(db, createSecretBox(randomBytes(32)));
  await store.accounts.create({ name: 'bench', type: 'user', email: 'sec@example.org' });
  const tags = Array.from({ length: STREAMS }, (_, i) => `registry.bench/team/app:${i}`);
  for (const tag of tags) {
    await store.subscriptions.ensureForTag('bench', tag, false);
    const [sub] = await store.subscriptions.list('bench', { key: tag, type: 'vuln_update' });
    await store.subscriptions.setActive('bench', sub!.id, true);
  }
  const receiver = await TestReceiver.create();
  const secret = newWebhookSecret();
  await new NotificationEndpoints(db, store.box).set({
    accountName: 'bench',
    type: 'general',
    sink: 'webhook',
    url: receiver.url,
    secret,
  });
  const queue = new JobQueue(db);
  const runners: WorkerRunner[] = [];
  return {
    db,
    store,
    queue,
    receiver,
    secret,
    tags,
    runner(options) {
      const job = deliverNotificationJob({
        store,
        notifications: {
          queue,
          guard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: [] }),
          options: { ...options, timeoutMs: 2_000 },
        },
      });
      const runner = new WorkerRunner(
        queue,
        [job],
        { owner: `bench-${runners.length}`, concurrency: WORKERS, pollMs: 50, drainTimeoutMs: 10_000 },
        pino({ level: 'silent' }),
      );
      runners.push(runner);
      return runner;
    },
    async close() {
      for (const r of runners) await r.stop();
      await receiver.stopListening();
      await db.close();
      await server?.stop();
    },
  };
}

const diff = (n: number): FindingsDiff => ({
  added: [debianRow(`CVE-2099-${n}`, 'openssl', '3.0.11-1', 'Critical', { fix: '3.0.12-1' })],
  updated: [],
  removed: [],
});

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, limitMs: number) {
  const end = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function throughputBenchmark(kind: Kind): Benchmark {
  return {
    name: `notify-throughput-${kind}`,
    baselineLabel: `${NOTES} signed POSTs straight to the receiver`,
    targetLabel: `>= ${TARGET_PER_SECOND} deliveries/s (queue -> receiver, every id once)`,
    runs: 3,
    async prepare(): Promise<PreparedBenchmark> {
      const r = await rig(kind);
      await r.receiver.setMode('accept');
      const notifier = new Notifier(r.db, r.queue);
      let round = 0;
      return {
        async measure() {
          round++;
          r.receiver.accepted.length = 0;
          const queued = performance.now();
          for (let i = 0; i < NOTES; i++) {
            const tag = r.tags[i % STREAMS]!;
            const imageDigest = `sha256:${(i % STREAMS).toString(16).padStart(64, '0')}`;
            await notifier.notify('bench', tag, {
              type: 'vuln_update',
              imageDigest,
              diff: diff(round * NOTES + i),
            });
          }
          const started = performance.now();
          const cpu = process.cpuUsage();
          const runner = r.runner({ retryBaseMs: 50, retryMaxMs: 1_000 });
          runner.start();
          // Receivers dedupe on webhook-id: a post the sender timed out on may arrive twice.
          const distinct = () => new Set(r.receiver.accepted.map((a) => String(a.headers['webhook-id'])));
          await waitFor(() => distinct().size >= NOTES, 'every delivery', 600_000);
          const seconds = (performance.now() - started) / 1000;
          const used = process.cpuUsage(cpu);
          await runner.stop();
          const ids = distinct();
          process.stderr.write(
            `\n  ${kind}: queued ${NOTES} in ${((started - queued) / 1000).toFixed(2)} s, delivered in ` +
              `${seconds.toFixed(2)} s: ${(NOTES / seconds).toFixed(0)} deliveries/s (target >= ${TARGET_PER_SECOND}), ` +
              `CPU ${((used.user + used.system) / 1000 / NOTES).toFixed(2)} ms per delivery, ${ids.size} distinct ids ` +
              `(${r.receiver.accepted.length - ids.size} repeated posts)\n`,
          );
          if (ids.size !== NOTES) throw new Error(`${ids.size} distinct deliveries of ${NOTES}`);
          const rate = NOTES / seconds;
          return {
            targetMet: rate >= TARGET_PER_SECOND,
            note: `${rate.toFixed(0)} deliveries/s, ${((used.user + used.system) / 1000 / NOTES).toFixed(2)} ms CPU each`,
          };
        },
        async baseline() {
          for (let i = 0; i < NOTES; i++) {
            const body = JSON.stringify({ data: diff(i) });
            const id = `msg_${randomUUID()}`;
            const response = await fetch(r.receiver.url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                ...signWebhook(r.secret, id, Math.floor(Date.now() / 1000), body),
              },
              body,
            });
            await response.body?.cancel();
          }
        },
        cleanup: () => r.close(),
      };
    },
  };
}

/** Outbox rows and their jobs as Notifier.notify writes them (one queued run per stream), in bulk. */
async function queueInBulk(r: Rig, count: number): Promise<void> {
  const deadline = new Date(Date.now() + 24 * 3600_000);
  for (let start = 0; start < count; start += 5_000) {
    const rows = Array.from({ length: Math.min(5_000, count - start) }, (_, k) => {
      const i = start + k;
      const id = `msg_${randomUUID()}`;
      const tag = r.tags[i % STREAMS]!;
      const subject = { accountName: 'bench', accountEmail: 'sec@example.org', tag };
      const imageDigest = `sha256:${(i % STREAMS).toString(16).padStart(64, '0')}`;
      const payload = notificationPayload(id, subject, { type: 'vuln_update', imageDigest, diff: diff(i) });
      return { id, s: `vuln_update:${tag}`, p: notificationData(subject, payload, 'vuln_update') };
    });
    await r.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO notification (id, account_name, notification_type, stream, payload, state, deadline)
         SELECT id, 'bench', 'vuln_update', s, p, 'pending', $2 FROM json_to_recordset($1::json) AS x(id text, s text, p jsonb)`,
        [JSON.stringify(rows), deadline],
      );
      // As wakeStream does: a stream with a queued run gets no second one.
      await tx.query(
        `INSERT INTO job (kind, payload, state, max_attempts, run_at)
         SELECT 'deliver-notification', p, 'queued', $2, now()
         FROM (SELECT DISTINCT jsonb_build_object('accountName', 'bench', 'stream', s) AS p
               FROM json_to_recordset($1::json) AS x(s text)) AS w
         WHERE NOT EXISTS (SELECT 1 FROM job j WHERE j.state = 'queued' AND j.kind = 'deliver-notification' AND j.payload = w.p)`,
        [JSON.stringify(rows.map((row) => ({ s: row.s }))), r.queue.options.defaultMaxAttempts],
      );
    });
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function deadReceiverBenchmark(kind: Kind): Benchmark {
  return {
    name: `notify-dead-receiver-memory-${kind}`,
    baselineLabel: 'the same window, sampling only; memory printed above',
    targetLabel: `RSS growth <= ${RSS_GROWTH_LIMIT_MB} MB over the window with ${DEAD_NOTES} queued`,
    runs: 1,
    async prepare(): Promise<PreparedBenchmark> {
      const r = await rig(kind);
      // The receiver never listens: every post is refused.
      const seeded = performance.now();
      const rssBefore = process.memoryUsage().rss;
      await queueInBulk(r, DEAD_NOTES);
      process.stderr.write(
        `\n  ${kind}: queued ${DEAD_NOTES} notifications in ${((performance.now() - seeded) / 1000).toFixed(1)} s; ` +
          `RSS before queueing ${mb(rssBefore)}, after ${mb(process.memoryUsage().rss)}\n`,
      );
      const runner = r.runner({ retryBaseMs: 100, retryMaxMs: 2_000 });
      const sample = async (ms: number) => {
        const samples: { rss: number; heap: number }[] = [];
        const end = Date.now() + ms;
        while (Date.now() < end) {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const m = process.memoryUsage();
          samples.push({ rss: m.rss, heap: m.heapUsed });
        }
        return samples;
      };
      return {
        async measure() {
          runner.start();
          const samples = await sample(WINDOW_MS);
          const { rows } = await r.db.query<{ attempts: string | number; open: string | number }>(
            `SELECT (SELECT count(*) FROM notification_attempt) AS attempts,
                    (SELECT count(*) FROM notification WHERE state IN ('pending', 'sending')) AS open`,
          );
          const first = samples.slice(0, 3);
          const last = samples.slice(-3);
          const avg = (s: typeof samples, k: 'rss' | 'heap') => s.reduce((a, x) => a + x[k], 0) / s.length;
          process.stderr.write(
            `\n  ${kind} dead receiver, ${DEAD_NOTES} queued: ${rows[0]?.attempts} attempts recorded, ${rows[0]?.open} open; ` +
              `RSS ${mb(avg(first, 'rss'))} -> ${mb(avg(last, 'rss'))} (max ${mb(Math.max(...samples.map((s) => s.rss)))}), ` +
              `heap ${mb(avg(first, 'heap'))} -> ${mb(avg(last, 'heap'))} over ${samples.length} s\n`,
          );
          const growth = (avg(last, 'rss') - avg(first, 'rss')) / 1024 / 1024;
          return {
            targetMet: growth <= RSS_GROWTH_LIMIT_MB,
            note: `RSS ${mb(avg(first, 'rss'))} -> ${mb(avg(last, 'rss'))} (${growth.toFixed(0)} MB), ${rows[0]?.attempts} attempts`,
          };
        },
        async baseline() {
          await sample(WINDOW_MS);
        },
        cleanup: () => r.close(),
      };
    },
  };
}

export const NOTIFY_BENCHMARKS: readonly Benchmark[] = [
  throughputBenchmark('pglite'),
  throughputBenchmark('postgres'),
  deadReceiverBenchmark('pglite'),
  deadReceiverBenchmark('postgres'),
];
