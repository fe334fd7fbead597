/**
 * Continuous monitoring at scale (issue 13), on embedded PGlite: IMAGES stored analyses (default
 * 10,000; `PORTCULLIS_BENCH_MONITOR_IMAGES` to change) of Debian 12 images, each with a shared
 * base of 100 packages plus 60 drawn from a long tail of 5,000, and findings on 5% of them.
 * - `monitor-by-vulnerability` / `monitor-by-package`: one query of the search index (target
 *   p95 <= 50 ms; the harness prints median and p90, the p95 is printed after the runs).
 * - `monitor-rematch`: a feed delta touching 1% of the package names imported, the affected
 *   analyses re-matched from their SBOMs and their vuln_update / policy_eval notifications queued
 *   (target <= 10 s). Baseline: the same import with the re-match given no changed keys.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { rematchAnalyses } from '../src/main/rematch-analyses.js';
import { NotificationEndpoints } from '../src/notifications/endpoints.js';
import { Notifier } from '../src/notifications/notify.js';
import { JobQueue } from '../src/queue/queue.js';
import { migrate } from '../src/store/migrate.js';
import { analyzeIndex } from '../src/store/repositories/image-index.js';
import { imagesByPackage, imagesByVulnerability } from '../src/store/repositories/image-queries.js';
import { createServiceStore, type ServiceStore } from '../src/store/repositories/index.js';
import { createSecretBox } from '../src/store/repositories/secret-box.js';
import { openPglite, type Sql } from '../src/store/sql.js';
import { syntheticAnalysis, type SyntheticFinding } from '../src/store/test-support/synthetic-analysis.js';
import { loadSyntheticFeed } from '../src/store/test-support/synthetic-feed.js';
import { vulnerabilityDataOf } from '../src/store/vulnerability-data.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { percentile } from './stats.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

const IMAGES = Number(process.env.PORTCULLIS_BENCH_MONITOR_IMAGES ?? 10_000);
const BASE = Array.from({ length: 100 }, (_, i) => `base-pkg-${i}`);
const TAIL = Array.from({ length: 5_000 }, (_, i) => `tail-pkg-${i}`);
const CVES = 3_000;

/** A small seeded PRNG (mulberry32), so every run stores the same images. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Seeded {
  db: Sql;
  store: ServiceStore;
}

let seeded: Promise<Seeded> | undefined;

async function seed(): Promise<Seeded> {
  const db = await openPglite();
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
  const random = prng(13);
  const started = performance.now();
  for (let start = 0; start < IMAGES; start += 100) {
    await db.transaction(async (tx) => {
      const txStore = createServiceStore(tx, createSecretBox(randomBytes(32)));
      for (let i = start; i < Math.min(start + 100, IMAGES); i++) {
        const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
        const names = new Set(BASE);
        while (names.size < BASE.length + 60) names.add(TAIL[Math.floor(random() * TAIL.length)]!);
        const packages = [...names].map((name) => ({
          name,
          version: `1.${i % 7}-1`,
          app: name.startsWith('tail'),
        }));
        const findings: SyntheticFinding[] = packages
          .filter(() => random() < 0.05)
          .map((p) => ({ id: `CVE-2024-${Math.floor(random() * CVES)}`, package: p.name }));
        const tag = { registry: 'registry.bench', repo: `team/app-${i % 500}`, tag: String(i) };
        await txStore.images.add({ accountName: 'bench', imageDigest: digest, tag });
        await txStore.analyses.save(syntheticAnalysis(digest, packages, findings), tx);
        await txStore.images.transition(digest, ['not_analyzed'], 'analyzed', null, tx);
        const key = `${tag.registry}/${tag.repo}:${tag.tag}`;
        await tx.query(
          `INSERT INTO subscription (id, account_name, subscription_type, subscription_key, active)
           SELECT gen_random_uuid()::text, 'bench', t, $1, true FROM unnest(ARRAY['vuln_update', 'policy_eval']) t`,
          [key],
        );
      }
    });
    process.stderr.write(`\r  seeding ${Math.min(start + 100, IMAGES)}/${IMAGES} images`);
  }
  await analyzeIndex(db); // what the worker does after indexing (PGlite has no autovacuum)
  process.stderr.write(
    `\n  seeded ${IMAGES} images in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  return { db, store };
}

function queryBenchmark(name: string, query: (s: Seeded, r: () => number) => Promise<unknown>): Benchmark {
  return {
    name,
    baselineLabel: 'SELECT 1',
    targetMs: 50,
    runs: 60,
    async prepare(): Promise<PreparedBenchmark> {
      const s = await (seeded ??= seed());
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
            `  ${name}: p95 ${percentile(times, 95).toFixed(1)} ms over ${times.length} queries\n`,
          );
        },
      };
    },
  };
}

const PAGE = { page: 1, limit: 100 };

export const monitorByVulnerabilityBenchmark = queryBenchmark('monitor-by-vulnerability', (s, r) =>
  imagesByVulnerability(s.db, 'bench', { vulnerabilityId: `CVE-2024-${Math.floor(r() * CVES)}` }, PAGE),
);

export const monitorByPackageBenchmark = queryBenchmark('monitor-by-package', (s, r) =>
  imagesByPackage(s.db, 'bench', { name: TAIL[Math.floor(r() * TAIL.length)]! }, PAGE),
);

export const monitorRematchBenchmark: Benchmark = {
  name: 'monitor-rematch',
  baselineLabel: 'the feed import alone',
  targetMs: 10_000,
  runs: 3,
  async prepare(): Promise<PreparedBenchmark> {
    const s = await (seeded ??= seed());
    const vulnerabilities = new VulnerabilityStore(s.db);
    const data = vulnerabilityDataOf(s.db, vulnerabilities);
    const notifier = new Notifier(s.db, new JobQueue(s.db));
    const all = [...BASE, ...TAIL];
    let run = 0;
    // 1% of the package names, drawn anew each run; the advisory ids change so every run is a delta.
    const delta = () => {
      run++;
      const random = prng(100 + run);
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
    return {
      async measure() {
        const keys = await delta();
        const summary = await rematchAnalyses(s.store, data, keys, { notifier });
        process.stderr.write(`  re-matched ${summary.rematched}, changed ${summary.changed}\n`);
      },
      async baseline() {
        await delta();
      },
      async cleanup() {
        await s.db.close();
        seeded = undefined;
      },
    };
  },
};
