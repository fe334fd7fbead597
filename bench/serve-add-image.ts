/**
 * Adding the sample image through the API until `analyzed` (issue 12: at most 1.2x the CLI's
 * `scan` of the same image). The app fixture is pushed to a real docker-registry (TLS + basic
 * auth); the service (`startService`, role all, embedded store with the shared mirror's data)
 * is asked `POST /v1/images?force=true` so every repetition pulls and analyses again, polled
 * until `analyzed`. The baseline is `portcullis scan registry:<ref>` as a process of its own
 * with the same data and credentials. Both sides keep their blob and layer caches warm after
 * the warm-up run, as a long-running service and a CI runner with a cache do.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { FEED_DRIVERS } from '../src/core/advisories/feeds/registry.js';
import { resolveServiceConfig } from '../src/config/service.js';
import { startService } from '../src/main/serve.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/sql.js';
import { updateFeeds } from '../src/store/update-feeds.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
import { pushImage } from '../test/harness/registry/push.js';
import { startRegistry } from '../test/harness/registry/start-registry.js';
import { SHARED_DATA } from '../test/support/shared-data.js';
import { ensureBuilt } from './cli-process.js';
import type { Benchmark } from './types.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/portcullis.js', import.meta.url));
const PASSWORD = 'bench-admin-password-0123';

export const serveAddImageBenchmark: Benchmark = {
  name: 'serve-add-image-vs-cli-scan',
  baselineLabel: 'portcullis scan registry:<same image>',
  targetRatio: 1.2,
  runs: 3,
  async prepare() {
    // The baseline CLI runs from dist/ (the tsx fallback would time the TypeScript loader).
    await ensureBuilt();
    const root = await mkdtemp(join(tmpdir(), 'pc-bench-add-'));
    // As test/harness/service-fixture.ts does (that module needs the test runner).
    const [registry, fixture] = await Promise.all([startRegistry('tls-basic'), getFixtureImage('app')]);
    await pushImage(registry, `oci:${fixture.ociLayoutDir}:${fixture.tag}`, 'fixtures/app:1');
    const pushed = {
      registry,
      reference: `${registry.host}/fixtures/app:1`,
      digest: fixture.manifests[0]!.manifestDigest,
    };
    const dataDir = join(root, 'service');
    await mkdir(dataDir, { recursive: true });
    const db = await openPglite(join(dataDir, 'db'));
    await migrate(db);
    await updateFeeds(new VulnerabilityStore(db), FEED_DRIVERS, { mode: { mirrorDir: SHARED_DATA } });
    await db.close();
    const cliCache = join(root, 'cli-cache');
    const env = { ...process.env };
    delete env.PORTCULLIS_DB_URL;
    await run(process.execPath, [BIN, '--cache-dir', cliCache, 'db', 'update', '--mirror', SHARED_DATA], {
      env,
    });
    const caFile = join(root, 'ca.pem');
    await writeFile(caFile, pushed.registry.caPem);

    const config = resolveServiceConfig(
      { dataDir, listen: '127.0.0.1:0', feedSyncInterval: 'off' },
      { HOME: root, PORTCULLIS_ADMIN_PASSWORD: PASSWORD },
    );
    const service = await startService(config, pino({ level: 'silent' }));
    const url = service.url!;
    const headers = {
      authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
    };
    const registered = await fetch(`${url}/registries?validate=false`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        registry: pushed.registry.host,
        registry_user: pushed.registry.username,
        registry_pass: pushed.registry.password,
        registry_verify: false,
      }),
    });
    if (!registered.ok) throw new Error(`POST /registries answered ${registered.status}`);
    const imageUrl = `${url}/images/${encodeURIComponent(pushed.digest)}`;

    return {
      async measure() {
        const added = await fetch(`${url}/images?force=true`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ tag: pushed.reference }),
        });
        if (!added.ok) throw new Error(`POST /images answered ${added.status}: ${await added.text()}`);
        for (;;) {
          const [image] = (await (await fetch(imageUrl, { headers })).json()) as {
            analysis_status: string;
            analysis_error: string | null;
          }[];
          if (image?.analysis_status === 'analyzed') return;
          if (image?.analysis_status === 'analysis_failed') throw new Error(image.analysis_error ?? 'failed');
          await new Promise((r) => setTimeout(r, 25));
        }
      },
      async baseline() {
        await run(
          process.execPath,
          [
            BIN,
            '--cache-dir',
            cliCache,
            'scan',
            `registry:${pushed.reference}`,
            '--ca-file',
            caFile,
            '--username',
            pushed.registry.username,
            '--password',
            pushed.registry.password,
            '-o',
            'json',
          ],
          { env, maxBuffer: 256 * 1024 * 1024 },
        );
      },
      async cleanup() {
        await service.stop();
        await pushed.registry.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
};
