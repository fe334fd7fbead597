/**
 * Continuous monitoring at scale (issue 13), on embedded PGlite and on a PostgreSQL server:
 * IMAGES stored analyses (default 10,000; `PORTCULLIS_BENCH_MONITOR_IMAGES` to change) of the
 * synthetic fleet (src/store/test-support/monitor-fleet.ts: Debian 12 images, a shared base of
 * 100 packages plus 60 of a long tail of 5,000, findings on 5% of them), stored in bulk with
 * the rows the service's write path writes (monitor-fleet.test.ts checks that), then the
 * statistics refreshed as the worker does after indexing.
 * - `monitor-by-vulnerability-*` / `monitor-by-package-*`: one query of the search index (target
 *   p95 <= 50 ms; the harness prints median and p90, the p95 is printed after the runs).
 * - `monitor-rematch-*`: a feed delta touching 1% of the package names imported, the affected
 *   analyses re-matched from their SBOMs and their vuln_update / policy_eval notifications queued
 *   (target <= 10 s), by the checkout's compiled build as `portcullis serve` runs it
 *   (compiled-checkout.ts). Baseline: the feed import alone or, with
 *   PORTCULLIS_BENCH_BASE_ROOT=<older checkout>, the same re-match by that checkout's compiled
 *   build on the same database, alternating run by run (each run imports a delta of its own);
 *   refused when that checkout lacks a migration of this one (then run it in each checkout).
 * The three benchmarks of a store share one seeded database (seeded once, released by teardown).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { PackageKey } from '../src/core/matching/rematch.js';
import type { rematchAnalyses, RematchSummary, RematchTimings } from '../src/main/rematch-analyses.js';
import { NotificationEndpoints } from '../src/notifications/endpoints.js';
import type { Notifier } from '../src/notifications/notify.js';
import type { JobQueue } from '../src/queue/queue.js';
import { migrate } from '../src/store/migrate.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { analyzeIndex } from '../src/store/repositories/image-index.js';
import { imagesByPackage, imagesByVulnerability } from '../src/store/repositories/image-queries.js';
import { createServiceStore, type ServiceStore } from '../src/store/repositories/index.js';
import { createSecretBox } from '../src/store/repositories/secret-box.js';
import { openPglite, openPostgres, type Sql } from '../src/store/sql.js';
import {
  FLEET_BASE,
  FLEET_CVES,
  FLEET_TAIL,
  fleet,
  prng,
  storeInBulk,
  type FleetImage,
} from '../src/store/test-support/monitor-fleet.js';
import { loadSyntheticFeed } from '../src/store/test-support/synthetic-feed.js';
import type { vulnerabilityDataOf } from '../src/store/vulnerability-data.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { startPostgres, type PostgresServer } from '../test/harness/postgres.js';
import { BASE_ROOT, importFrom, ROOT } from './base-checkout.js';
import { importCompiled } from './compiled-checkout.js';
import { percentile } from './stats.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

const IMAGES = Number(process.env.PORTCULLIS_BENCH_MONITOR_IMAGES ?? 10_000);
const BATCH = 100;

type Kind = 'pglite' | 'postgres';

interface Seeded {
  db: Sql;
  store: ServiceStore;
}

async function open(kind: Kind): Promise<{ db: Sql; server?: PostgresServer }> {
  if (kind === 'pglite') return { db: await openPglite() };
  const server = await startPostgres();
  return { db: await openPostgres(server.url), server };
}

async function seed(kind: Kind, db: Sql): Promise<Seeded> {
  await migrate(db);
  const store = createServiceStore(db, createSecretBox(randomBytes(32)));
  await store.accounts.create({ name: 'bench', type: 'user' });
  await new NotificationEndpoints(db, store.box).set({
    accountName: 'bench',
    type: 'general',
    sink: 'webhook',
    url: 'http://127.0.0.1:9/hook',
    secret: `whsec_${randomBytes(24).toString('base64')}`,
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  let batch: FleetImage[] = [];
  let stored = 0;
  for (const image of fleet(IMAGES)) {
    batch.push(image);
    if (batch.length < BATCH && stored + batch.length < IMAGES) continue;
    await storeInBulk(db, 'bench', batch);
    stored += batch.length;
    batch = [];
    process.stderr.write(`\r  seeding ${stored}/${IMAGES} images on ${kind}`);
  }
  await analyzeIndex(db); // what the worker does after indexing (PGlite has no autovacuum)
  const used = process.cpuUsage(cpu);
  process.stderr.write(
    `\n  seeded ${IMAGES} images on ${kind} in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `(this process's CPU ${((used.user + used.system) / 1e6).toFixed(1)} s)\n`,
  );
  return { db, store };
}

/** One seeded database per store, shared by its three benchmarks, released by `teardown`. */
function sharedFleet(kind: Kind): { get(): Promise<Seeded>; teardown(): Promise<void> } {
  let seeded: Promise<Seeded & { server?: PostgresServer }> | undefined;
  return {
    get: () =>
      (seeded ??= open(kind).then(async ({ db, server }) => ({
        ...(await seed(kind, db)),
        ...(server ? { server } : {}),
      }))),
    async teardown() {
      const s = await seeded?.catch(() => undefined);
      seeded = undefined;
      await s?.db.close();
      await s?.server?.stop();
    },
  };
}

function queryBenchmark(
  kind: Kind,
  shared: ReturnType<typeof sharedFleet>,
  name: string,
  query: (s: Seeded, r: () => number) => Promise<unknown>,
): Benchmark {
  return {
    name: `${name}-${kind}`,
    baselineLabel: 'SELECT 1',
    targetMs: 50,
    runs: 60,
    teardown: shared.teardown,
    async prepare(): Promise<PreparedBenchmark> {
      const s = await shared.get();
      const random = prng(7);
      const times: number[] = [];
      return {
        async measure() {
          const t = performance.now();
          await query(s, random);
          times.push(performance.now() - t);
        },
        async baseline() {
          await s.db.query('SELECT 1');
        },
        async cleanup() {
          process.stderr.write(
            `  ${name}-${kind}: p95 ${percentile(times, 95).toFixed(1)} ms over ${times.length} queries (target <= 50 ms)\n`,
          );
        },
      };
    },
  };
}

const PAGE = { page: 1, limit: 100 };

/** The re-match of one checkout's compiled build (as `portcullis serve` runs it) on a seeded store. */
interface RematchCode {
  rematch(s: Seeded, keys: readonly PackageKey[], timings: RematchTimings): Promise<RematchSummary>;
}

async function rematchCode(root: string, s: Seeded): Promise<RematchCode> {
  const [main, repositories, data, vulnerabilityStore, notify, queue] = await Promise.all([
    importCompiled<{ rematchAnalyses: typeof rematchAnalyses }>(root, 'main/rematch-analyses.js'),
    importCompiled<{ createServiceStore: typeof createServiceStore }>(root, 'store/repositories/index.js'),
    importCompiled<{ vulnerabilityDataOf: typeof vulnerabilityDataOf }>(root, 'store/vulnerability-data.js'),
    importCompiled<{ VulnerabilityStore: typeof VulnerabilityStore }>(root, 'store/vulnerability-store.js'),
    importCompiled<{ Notifier: typeof Notifier }>(root, 'notifications/notify.js'),
    importCompiled<{ JobQueue: typeof JobQueue }>(root, 'queue/queue.js'),
  ]);
  const store = repositories.createServiceStore(s.db, s.store.box);
  const source = data.vulnerabilityDataOf(s.db, new vulnerabilityStore.VulnerabilityStore(s.db));
  const notifier = new notify.Notifier(s.db, new queue.JobQueue(s.db));
  return { rematch: (_, keys, timings) => main.rematchAnalyses(store, source, keys, { notifier, timings }) };
}

/**
 * The older checkout re-matches this checkout's database: only sound when it knows every
 * migration this one applied (a later one may change a column its statements read).
 */
async function sameSchema(root: string): Promise<void> {
  const theirs = await importFrom<{ MIGRATIONS: readonly { id: number }[] }>(root, 'src/store/migrations.ts');
  const known = new Set(theirs.MIGRATIONS.map((m) => m.id));
  const missing = MIGRATIONS.filter((m) => !known.has(m.id)).map((m) => m.id);
  if (missing.length > 0)
    throw new Error(
      `${root} lacks migrations ${missing.join(', ')} of this checkout, so its code cannot re-match this ` +
        'database: run the benchmark without PORTCULLIS_BENCH_BASE_ROOT in each checkout instead',
    );
}

function rematchBenchmark(kind: Kind, shared: ReturnType<typeof sharedFleet>): Benchmark {
  return {
    name: `monitor-rematch-${kind}`,
    baselineLabel: BASE_ROOT ? `the same re-match on ${BASE_ROOT}` : 'the feed import alone',
    targetMs: 10_000,
    runs: 3,
    teardown: shared.teardown,
    async prepare(): Promise<PreparedBenchmark> {
      const s = await shared.get();
      const vulnerabilities = new VulnerabilityStore(s.db);
      const all = [...FLEET_BASE, ...FLEET_TAIL];
      let run = 0;
      // 1% of the package names, drawn anew each round and the same for both sides of it (how many
      // images a draw reaches varies by thousands); the advisory ids change so every run is a delta.
      const delta = () => {
        run++;
        const random = prng(100 + Math.ceil(run / 2));
        const names = new Set<string>();
        while (names.size < Math.round(all.length / 100)) names.add(all[Math.floor(random() * all.length)]!);
        return loadSyntheticFeed(
          vulnerabilities,
          'bench-delta',
          [...names].map((name, i) => ({
            id: `CVE-2099-${run}${i}`,
            namespace: 'debian:12',
            packageName: name,
            fixed: '9.0-1',
            severity: 'CRITICAL' as const,
          })),
        );
      };
      const measured = async (code: RematchCode, label: string) => {
        const keys = await delta();
        const timings = { read: 0, match: 0, write: 0, notify: 0 };
        const cpu = process.cpuUsage();
        const started = performance.now();
        const summary = await code.rematch(s, keys, timings);
        const wall = performance.now() - started;
        const used = process.cpuUsage(cpu);
        const split = Object.entries(timings)
          .map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(2)} s`)
          .join(', ');
        process.stderr.write(
          `  ${label}: re-matched ${summary.rematched} of ${IMAGES} (N), changed ${summary.changed} in ` +
            `${(wall / 1000).toFixed(2)} s; ${split}; ` +
            `this process's CPU ${((used.user + used.system) / 1e6).toFixed(2)} s\n`,
        );
      };
      const current = await rematchCode(ROOT, s);
      if (BASE_ROOT) await sameSchema(BASE_ROOT);
      const base = BASE_ROOT ? await rematchCode(BASE_ROOT, s) : undefined;
      return {
        measure: () => measured(current, 'this checkout'),
        baseline: base ? () => measured(base, BASE_ROOT!) : async () => void (await delta()),
      };
    },
  };
}

function monitorBenchmarks(kind: Kind): Benchmark[] {
  const shared = sharedFleet(kind);
  return [
    queryBenchmark(kind, shared, 'monitor-by-vulnerability', (s, r) =>
      imagesByVulnerability(
        s.db,
        'bench',
        { vulnerabilityId: `CVE-2024-${Math.floor(r() * FLEET_CVES)}` },
        PAGE,
      ),
    ),
    queryBenchmark(kind, shared, 'monitor-by-package', (s, r) =>
      imagesByPackage(s.db, 'bench', { name: FLEET_TAIL[Math.floor(r() * FLEET_TAIL.length)]! }, PAGE),
    ),
    rematchBenchmark(kind, shared),
  ];
}

/** By store: by_vulnerability, by_package, then the re-match (which changes findings). */
export const MONITOR_BENCHMARKS: readonly Benchmark[] = [
  ...monitorBenchmarks('pglite'),
  ...monitorBenchmarks('postgres'),
];
