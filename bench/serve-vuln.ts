/**
 * `GET /v1/images/{digest}/vuln/all` under load (issue 12: at least 1,500 req/s, p99 at most
 * 20 ms), on both stores. The sample app image (~300 packages) is analysed by the pipeline and
 * stored as the worker would store it; the API runs in its own process (serve-vuln-server.ts,
 * logging at `info` as in production), and each repetition sends REQUESTS requests over
 * CONNECTIONS connections with autocannon, printing req/s, p99 and the API process's CPU time
 * per request beside the targets. The timed target is the time REQUESTS take at 1,500 req/s.
 *
 * The baseline is the same load on `/v1/health` of the same process (no authentication, no
 * store: what the HTTP stack costs), or, with PORTCULLIS_BENCH_BASE_ROOT=<older checkout with
 * node_modules>, the same `vuln/all` load on that checkout's API on a copy of the same store:
 * old and new alternate run by run, so the machine's load hits both alike. ADR 0023 says what
 * a request reads.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEED_DRIVERS } from '../src/core/advisories/feeds/registry.js';
import { RegistryClients } from '../src/core/image/backends/registry/clients.js';
import { Keychain } from '../src/core/image/backends/registry/keychain.js';
import { DEFAULT_LIMITS } from '../src/core/image/options.js';
import { findVulnerabilities } from '../src/core/pipeline/index.js';
import { PORTCULLIS_VERSION } from '../src/core/version.js';
import { createServiceStore } from '../src/store/repositories/index.js';
import { createSecretBox } from '../src/store/repositories/secret-box.js';
import { openLockedDatabase } from '../src/store/open-embedded.js';
import { migrate } from '../src/store/migrate.js';
import { updateFeeds } from '../src/store/update-feeds.js';
import { vulnerabilityDataOf } from '../src/store/vulnerability-data.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { startPostgres } from '../test/harness/postgres.js';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
import { load, startApiProcess, summarise, type ApiProcess, type LoadFigures } from './serve-vuln-load.js';
import { BASE_ROOT, ROOT } from './base-checkout.js';
import type { Benchmark, PreparedBenchmark } from './types.js';
import { MIRROR } from './vulndb-data.js';

const REQUESTS = 3_000;
const CONNECTIONS = 10;
const TARGET_RPS = 1_500;
const TARGET_P99_MS = 20;
const PASSWORD = 'bench-password-0123';

export async function seed(dataDir: string, dbUrl: string | undefined): Promise<string> {
  const db = await openLockedDatabase(
    dbUrl ? { kind: 'postgres', url: dbUrl } : { kind: 'pglite', dataDir: join(dataDir, 'db') },
    { mode: 'fail' },
  );
  try {
    await migrate(db);
    const vulnerabilities = new VulnerabilityStore(db);
    await updateFeeds(vulnerabilities, FEED_DRIVERS, { mode: { mirrorDir: MIRROR } });
    const image = await getFixtureImage('app');
    const registry = { insecureHosts: [], extraCaPem: [], timeoutMs: 60_000, retries: 0, blobConcurrency: 3 };
    const environment = {
      cacheDir: join(dataDir, 'cache'),
      registry,
      clients: new RegistryClients(registry),
      keychain: Keychain.empty,
      dockerHost: 'unix:///nonexistent.sock',
      limits: { ...DEFAULT_LIMITS },
    };
    const found = await findVulnerabilities({
      subject: { kind: 'image', source: `oci-dir:${image.ociLayoutDir}:${image.tag}` },
      environment,
      image: { platform: { os: 'linux', architecture: 'amd64' }, allPlatforms: false, tempDir: dataDir },
      data: vulnerabilityDataOf(db, vulnerabilities),
    }).finally(() => environment.clients.close());
    const digest = image.manifests[0]!.manifestDigest;
    // The key file does not matter here: the bench stores no registry credentials.
    const store = createServiceStore(db, createSecretBox(Buffer.alloc(32)));
    await store.accounts.create({ name: 'bench', type: 'user' });
    await store.users.create({ username: 'bench', accountName: 'bench', password: PASSWORD });
    await store.images.add({
      accountName: 'bench',
      imageDigest: digest,
      tag: { registry: 'bench.local', repo: 'app', tag: '1' },
    });
    await store.analyses.save({
      imageDigest: digest,
      imageId: image.manifests[0]!.configDigest.replace('sha256:', ''),
      analyzerVersion: PORTCULLIS_VERSION,
      metadata: {},
      sbom: found.analysis.document,
      findings: found.findings,
    });
    await store.images.transition(digest, ['not_analyzed', 'analysis_queued', 'analyzing'], 'analyzed');
    process.stderr.write(
      `\n  seeded ${digest}: ${found.analysis.document.packages.length} packages, ${found.findings.length} findings\n`,
    );
    return digest;
  } finally {
    await db.close();
  }
}

function vulnBenchmark(kind: 'pglite' | 'postgres'): Benchmark {
  return {
    name: `serve-vuln-all-${kind}`,
    baselineLabel: BASE_ROOT ? `${REQUESTS} vuln/all on ${BASE_ROOT}` : `${REQUESTS} GET /v1/health`,
    targetLabel: `>= ${TARGET_RPS} req/s and p99 <= ${TARGET_P99_MS} ms`,
    runs: 3,
    async prepare(): Promise<PreparedBenchmark> {
      const dataDir = await mkdtemp(join(tmpdir(), `pc-bench-vuln-${kind}-`));
      const postgres = kind === 'postgres' ? await startPostgres() : undefined;
      const digest = await seed(dataDir, postgres?.url);
      const servers: ApiProcess[] = [];
      const start = async (root: string, dir: string) => {
        const server = await startApiProcess(root, dir, postgres?.url);
        servers.push(server);
        return server;
      };
      const server = await start(ROOT, dataDir);
      // The embedded store is one process's alone: the older checkout gets a copy of it.
      const baseDir = BASE_ROOT && postgres ? dataDir : BASE_ROOT && `${dataDir}-base`;
      if (BASE_ROOT && baseDir !== dataDir) await cp(dataDir, baseDir!, { recursive: true });
      const base = BASE_ROOT ? await start(BASE_ROOT, baseDir!) : server;
      const auth = { authorization: `Basic ${Buffer.from(`bench:${PASSWORD}`).toString('base64')}` };
      const vulnPath = `/images/${digest}/vuln/all`;
      const sides: Record<string, LoadFigures[]> = { measured: [], baseline: [] };
      const run = async (side: 'measured' | 'baseline', api: ApiProcess, path: string, headers = {}) => {
        const figures = await load(api, path, headers, { connections: CONNECTIONS, amount: REQUESTS });
        sides[side]!.push(figures);
        const met = figures.reqPerSec >= TARGET_RPS && figures.p99Ms <= TARGET_P99_MS;
        process.stderr.write(
          `\n  ${side} ${path === vulnPath ? 'vuln/all' : path} on ${kind}: ${figures.reqPerSec.toFixed(0)} req/s (target >= ${TARGET_RPS}), p99 ${figures.p99Ms} ms (target <= ${TARGET_P99_MS}), ${figures.cpuMicrosPerRequest.toFixed(0)} µs CPU/request\n`,
        );
        return {
          targetMet: met,
          note: `${figures.reqPerSec.toFixed(0)} req/s, p99 ${figures.p99Ms} ms, ${figures.cpuMicrosPerRequest.toFixed(0)} µs CPU/request`,
        };
      };
      return {
        measure: () => run('measured', server, vulnPath, auth),
        baseline: async () => {
          await (BASE_ROOT ? run('baseline', base, vulnPath, auth) : run('baseline', base, '/health'));
        },
        async cleanup() {
          // The first run of each side is run.ts's warm-up.
          for (const runs of Object.values(sides)) runs.shift();
          process.stderr.write(`\n${summarise(kind, sides)}`);
          for (const s of servers) await s.stop();
          await postgres?.stop();
          await rm(dataDir, { recursive: true, force: true });
          if (baseDir && baseDir !== dataDir) await rm(baseDir, { recursive: true, force: true });
        },
      };
    },
  };
}

export const serveVulnPgliteBenchmark = vulnBenchmark('pglite');
export const serveVulnPostgresBenchmark = vulnBenchmark('postgres');
