/**
 * The UI's images table at 10,000 images in one account (issue 16's target: first page, server
 * time <= 100 ms, page code and data <= 300 KB). The measured side is one GET /images through
 * the whole service (session, query, rendering); the baseline is the page's read model alone
 * (the same page of rows from the store), so the ratio shows what session and rendering add.
 * The bytes of the page, its stylesheet and htmx (gzip, as a browser asks) are printed. (The
 * API's unpaged GET /v1/images of the same 10,000 images takes seconds: the reason for paging.)
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, stopSharedPostgres, type StoreKind } from '../test/harness/databases.js';
import { JobQueue } from '../src/queue/queue.js';
import { buildApp, type App } from '../src/server/app.js';
import { createServiceStore } from '../src/store/repositories/index.js';
import { createSecretBox } from '../src/store/repositories/secret-box.js';
import { seedImages } from '../src/store/test-support/portfolio-seed.js';
import { PortfolioRepository } from '../src/store/repositories/portfolio.js';
import { PAGE_SIZE } from '../src/ui/pages/images.js';
import { uiLogin } from '../src/ui/test-support/ui-session.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

export const UI_BENCH_IMAGES = 10_000;
const ACCOUNT = 'bench';

async function prepare(kind: StoreKind): Promise<PreparedBenchmark> {
  const root = await mkdtemp(join(tmpdir(), 'portcullis-bench-ui-'));
  const database = await openTestDatabase(kind);
  const store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
  await store.accounts.create({ name: ACCOUNT, type: 'user' });
  await store.users.create({ username: 'bench-user', accountName: ACCOUNT, password: 'bench-password' });
  await seedImages(database.db, ACCOUNT, UI_BENCH_IMAGES);
  const app: App = await buildApp({
    store,
    queue: new JobQueue(database.db),
    logger: false,
    version: 'bench',
    hostId: 'bench',
    baseUrl: 'http://127.0.0.1:8228',
    resolveImage: () => Promise.reject(new Error('the bench adds no image')),
    checkRegistryLogin: () => Promise.resolve(),
    ready: async () => true,
    schemaVersion: async () => 0,
    feeds: { status: async () => [] },
  });
  await app.ready();
  const login = await uiLogin(app, 'bench-user', 'bench-password');
  const portfolio = new PortfolioRepository(database.db);
  const page = async () => {
    const res = await app.inject({ method: 'GET', url: '/images', headers: { cookie: login.cookie } });
    if (res.statusCode !== 200 || !res.body.includes('Page 1 of 200'))
      throw new Error(`GET /images answered ${res.statusCode}`);
    return res;
  };
  const first = await page();
  const css = await app.inject({ method: 'GET', url: '/ui/static/app.css' });
  const htmx = await app.inject({
    method: 'GET',
    url: '/ui/static/htmx.min.js',
    headers: { 'accept-encoding': 'gzip' },
  });
  const htmlGz = gzipSync(first.rawPayload).length;
  const total = first.rawPayload.length + css.rawPayload.length + htmx.rawPayload.length;
  process.stderr.write(
    `\nui images page on ${kind} at ${UI_BENCH_IMAGES} images: HTML ${first.rawPayload.length} B (${htmlGz} B gzipped), ` +
      `CSS ${css.rawPayload.length} B, htmx ${htmx.rawPayload.length} B gzip; total ${total} B (target <= ${300 * 1024} B, ` +
      `${total <= 300 * 1024 ? 'meets' : 'MISSES'})\n`,
  );
  return {
    async measure() {
      await page();
    },
    async baseline() {
      await portfolio.images(ACCOUNT, { sort: 'analyzed', desc: true, offset: 0, limit: PAGE_SIZE });
    },
    async cleanup() {
      await app.close();
      await database.stop();
      if (kind === 'PostgreSQL 15') await stopSharedPostgres();
      await rm(root, { recursive: true, force: true });
    },
  };
}

const common = {
  baselineLabel: `the same page of ${UI_BENCH_IMAGES} images read from the store, not rendered`,
  targetMs: 100,
  runs: 10,
} as const;

export const uiImagesPgliteBenchmark: Benchmark = {
  ...common,
  name: 'ui-images-10k-pglite',
  prepare: () => prepare('PGlite'),
};

export const uiImagesPostgresBenchmark: Benchmark = {
  ...common,
  name: 'ui-images-10k-postgres',
  prepare: () => prepare('PostgreSQL 15'),
};
