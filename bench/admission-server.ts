/**
 * The webhook under load, in its own process so the load generator never shares its event loop
 * and its CPU time can be read alone. `tsx bench/admission-server.ts ROOT STORE`: ROOT is the
 * checkout whose code is served (this one, or a baseline worktree such as main), STORE is
 * "PGlite" or "PostgreSQL 15". Prints `{"url":…}` once listening; then answers each stdin line
 * "cpu" with `{"cpuUs":…}` (user + system µs since start) and exits on "stop".
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { BENCH_ACCOUNT, seed } from './admission-fixture.js';
import type * as DatabasesM from '../test/harness/databases.js';
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
    certs: (await load('test/harness/registry/certs.ts')) as typeof CertsM,
    config: (await load('src/admission/config.ts')) as typeof ConfigM,
    main: (await load('src/main/admission.ts')) as typeof MainM,
    queue: (await load('src/queue/queue.ts')) as typeof QueueM,
    store: (await load('src/store/repositories/index.ts')) as typeof StoreM,
    box: (await load('src/store/repositories/secret-box.ts')) as typeof BoxM,
  };
}

async function main(): Promise<void> {
  const [root = process.cwd(), kind = 'PGlite'] = process.argv.slice(2);
  const m = await loadModules(root);
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-admission-'));
  const pki = await m.certs.makeTestPki(dir);
  const database = await m.databases.openTestDatabase(kind as 'PGlite' | 'PostgreSQL 15');
  const store = m.store.createServiceStore(database.db, m.box.createSecretBox(randomBytes(32)));
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
      process.stdout.write(`${JSON.stringify({ cpuUs: user + system })}\n`);
    } else if (line === 'stop') break;
  }
  await webhook.stop();
  await database.stop();
  if (kind !== 'PGlite') await m.databases.stopSharedPostgres();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
