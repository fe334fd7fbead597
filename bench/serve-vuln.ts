/**
 * `GET /v1/images/{digest}/vuln/all` under load (issue 12: at least 1,500 req/s, p99 at most
 * 20 ms), on both stores. The sample app image (~300 packages) is analysed by the pipeline and
 * stored as the worker would store it; each repetition sends REQUESTS requests over CONNECTIONS
 * connections with autocannon and prints req/s and p99 beside the targets. The timed target is
 * the time REQUESTS take at 1,500 req/s. The baseline is the same load on `/v1/health` (no
 * authentication, no store): what the HTTP stack costs. A request reads the login's freshness
 * and the image's findings revision (coalesced while in flight) and sends the body rendered once
 * per findings revision (src/server/routes/images/rendered-cache.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { FEED_DRIVERS } from '../src/core/advisories/feeds/registry.js';
import { RegistryClients } from '../src/core/image/backends/registry/clients.js';
import { Keychain } from '../src/core/image/backends/registry/keychain.js';
import { DEFAULT_LIMITS } from '../src/core/image/options.js';
import { findVulnerabilities } from '../src/core/pipeline/index.js';
import { PORTCULLIS_VERSION } from '../src/core/version.js';
import { resolveServiceConfig } from '../src/config/service.js';
import { startService } from '../src/main/serve.js';
import { createServiceStore } from '../src/store/repositories/index.js';
import { createSecretBox } from '../src/store/repositories/secret-box.js';
import { openLockedDatabase } from '../src/store/open-embedded.js';
import { migrate } from '../src/store/migrate.js';
import { updateFeeds } from '../src/store/update-feeds.js';
import { vulnerabilityDataOf } from '../src/store/vulnerability-data.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { startPostgres } from '../test/harness/postgres.js';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
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

async function load(url: string, headers: Record<string, string>, label: string): Promise<void> {
  // The load generator runs in a worker thread, so its parsing of answers does not share the
  // service's event loop (a client on another machine would not either).
  const result = await autocannon({ url, connections: CONNECTIONS, amount: REQUESTS, headers, workers: 1 });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${label}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  process.stderr.write(
    `\n  ${label}: ${Math.round(result.requests.average)} req/s (target >= ${TARGET_RPS}), p99 ${result.latency.p99} ms (target <= ${TARGET_P99_MS})\n`,
  );
}

function vulnBenchmark(kind: 'pglite' | 'postgres'): Benchmark {
  return {
    name: `serve-vuln-all-${kind}`,
    baselineLabel: `${REQUESTS} GET /v1/health`,
    targetMs: (REQUESTS / TARGET_RPS) * 1000,
    runs: 3,
    async prepare(): Promise<PreparedBenchmark> {
      const dataDir = await mkdtemp(join(tmpdir(), `pc-bench-vuln-${kind}-`));
      const postgres = kind === 'postgres' ? await startPostgres() : undefined;
      const digest = await seed(dataDir, postgres?.url);
      const config = resolveServiceConfig(
        {
          dataDir,
          listen: '127.0.0.1:0',
          feedSyncInterval: 'off',
          role: 'api',
          ...(postgres ? { dbUrl: postgres.url } : {}),
        },
        { HOME: dataDir },
      );
      const service = await startService(config, pino({ level: 'silent' }));
      const auth = { authorization: `Basic ${Buffer.from(`bench:${PASSWORD}`).toString('base64')}` };
      return {
        measure: () => load(`${service.url!}/images/${digest}/vuln/all`, auth, `vuln/all on ${kind}`),
        baseline: () => load(`${service.url!}/health`, {}, `health on ${kind}`),
        async cleanup() {
          await service.stop();
          await postgres?.stop();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

export const serveVulnPgliteBenchmark = vulnBenchmark('pglite');
export const serveVulnPostgresBenchmark = vulnBenchmark('postgres');
