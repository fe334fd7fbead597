/**
 * The webhook under load, in its own process so the load generator never shares its event loop
 * and its CPU time can be read alone. `tsx bench/admission-server.ts ROOT STORE`: ROOT is the
 * checkout whose code is served (this one, or a baseline worktree such as main), STORE is
 * "PGlite" or "PostgreSQL 15". Prints `{"url":…}` once listening; then answers each stdin line
 * "cpu" with `{"cpuUs":…,"loop":…,"gc":…}` (user + system µs since start; the event loop's delay
 * and the GC pauses since the previous "cpu", in ms) and exits on "stop". A fourth argument
 * "trace" prints every store query that took longer than 2 ms to stderr (diagnosis only).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import pino from 'pino';
import { BENCH_ACCOUNT, seed } from './admission-fixture.js';
import type * as DatabasesM from '../test/harness/databases.js';
import type * as MigrateM from '../src/store/migrate.js';
import type * as SqlM from '../src/store/sql.js';
import type * as CertsM from '../test/harness/registry/certs.js';
import type * as ConfigM from '../src/admission/config.js';
import type * as MainM from '../src/main/admission.js';
import type * as QueueM from '../src/queue/queue.js';
import type * as StoreM from '../src/store/repositories/index.js';
import type * as BoxM from '../src/store/repositories/secret-box.js';

async function loadModules(root: string) {
  const load = (path: string) => import(pathToFileURL(join(root, path)).href);
  return {
    databases: (await load('test/harness/databases.ts')) as typeof DatabasesM,
    sql: (await load('src/store/sql.ts')) as typeof SqlM,
    migrate: (await load('src/store/migrate.ts')) as typeof MigrateM,
    certs: (await load('test/harness/registry/certs.ts')) as typeof CertsM,
    config: (await load('src/admission/config.ts')) as typeof ConfigM,
    main: (await load('src/main/admission.ts')) as typeof MainM,
    queue: (await load('src/queue/queue.ts')) as typeof QueueM,
    store: (await load('src/store/repositories/index.ts')) as typeof StoreM,
    box: (await load('src/store/repositories/secret-box.ts')) as typeof BoxM,
  };
}

/** perf_hooks' GC kinds (NODE_PERFORMANCE_GC_*). */
const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };

/** Event-loop delay and GC pauses between two reads: what stalls every request queued meanwhile. */
function stallMonitor() {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gcMs = 0;
  let gcMaxMs = 0;
  let gcMaxKind = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      if (entry.duration > gcMaxMs) {
        gcMaxMs = entry.duration;
        gcMaxKind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  return () => {
    const out = {
      loop: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      gc: {
        totalMs: Math.round(gcMs),
        maxMs: Math.round(gcMaxMs * 100) / 100,
        maxKind: GC_KINDS[gcMaxKind] ?? String(gcMaxKind),
        heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      },
    };
    loop.reset();
    gcMs = 0;
    gcMaxMs = 0;
    return out;
  };
}

/** Queries per statement kind since the last sample (trace mode). */
const traceCounts = new Map<string, { statements: number; params: number }>();

/** Diagnosis: every query slower than 2 ms on stderr, and how many of each kind ran. */
function traced<T extends { query: (...args: never[]) => Promise<unknown> }>(db: T): T {
  const query = db.query.bind(db) as (text: string, params?: readonly unknown[]) => Promise<unknown>;
  const wrapped = async (text: string, params?: readonly unknown[]): Promise<unknown> => {
    const start = performance.now();
    const kind = text.trim().slice(0, 40).replace(/\s+/g, ' ');
    const count = traceCounts.get(kind) ?? { statements: 0, params: 0 };
    count.statements++;
    count.params += params?.length ?? 0;
    traceCounts.set(kind, count);
    try {
      return await query(text, params);
    } finally {
      const took = performance.now() - start;
      if (took > 2) process.stderr.write(`slow query ${took.toFixed(1)} ms: ${kind}\n`);
    }
  };
  return { ...db, query: wrapped } as T;
}

type Modules = Awaited<ReturnType<typeof loadModules>>;

/**
 * "PGlite" is the embedded store as `serve` deploys it, with its data directory on disk;
 * "PGlite (memory)" is the test harness's in-memory one, whose files grow inside the JS heap
 * (every growth copies the file and can trigger a long GC), which no deployment uses.
 */
async function openDatabase(m: Modules, kind: string, dir: string) {
  if (kind === 'PGlite (memory)') return m.databases.openTestDatabase('PGlite');
  if (kind === 'PostgreSQL 15') return m.databases.openTestDatabase('PostgreSQL 15');
  const db = await m.sql.openPglite(join(dir, 'pglite'));
  await m.migrate.migrate(db);
  return { db, url: undefined, stop: () => db.close() };
}

async function main(): Promise<void> {
  const [root = process.cwd(), kind = 'PGlite', mode] = process.argv.slice(2);
  const stalls = stallMonitor();
  const m = await loadModules(root);
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-admission-'));
  const pki = await m.certs.makeTestPki(dir);
  const database = await openDatabase(m, kind, dir);
  const store = m.store.createServiceStore(
    mode === 'trace' ? traced(database.db) : database.db,
    m.box.createSecretBox(randomBytes(32)),
  );
  await seed(store);
  const webhook = await m.main.startAdmissionServer(
    {
      role: 'admission',
      host: '127.0.0.1',
      port: 0,
      listenConfigured: true,
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
      dataDir: dir,
      concurrency: 1,
      feedSyncIntervalMs: 0,
      cacheDir: join(dir, 'cache'),
      admission: { account: BENCH_ACCOUNT, host: '127.0.0.1', port: 0 },
      caFiles: [],
    } as Parameters<typeof m.main.startAdmissionServer>[0],
    {
      config: m.config.parseAdmissionConfig(
        { account: BENCH_ACCOUNT, rules: [{ namespaces: ['*'], mode: 'policy' }] },
        'bench',
      ),
      account: BENCH_ACCOUNT,
    },
    {
      store,
      queue: new m.queue.JobQueue(database.db),
      // Info level into /dev/null: what a deployment pays for logging, without the terminal.
      log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
      resolveImage: () => Promise.reject(new Error('the bench pod names digests only')),
      ...(database.url ? { dbUrl: database.url } : {}),
    },
  );
  process.stdout.write(`${JSON.stringify({ url: webhook.url })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpuUs: user + system, ...stalls() })}\n`);
      if (mode === 'trace') process.stderr.write(`queries: ${JSON.stringify([...traceCounts])}\n`);
      traceCounts.clear();
    } else if (line === 'stop') break;
  }
  await webhook.stop();
  await database.stop();
  if (kind === 'PostgreSQL 15') await m.databases.stopSharedPostgres();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
