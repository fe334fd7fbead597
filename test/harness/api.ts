/**
 * The API on a real store, exercised through `app.inject()`: buildApp over PGlite or a
 * PostgreSQL 15 database, an admin and two tenant accounts with users, and request helpers
 * that speak like anchore-cli (basic auth, JSON content type on every request).
 */
import { randomBytes } from 'node:crypto';
import { feedStatusOf } from '../../src/main/feed-status.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { OpenOptions } from '../../src/core/image/options.js';
import { checkRegistryLogin } from '../../src/core/image/backends/registry/login.js';
import { createResolveImage } from '../../src/main/resolve-image.js';
import { UrlGuard } from '../../src/notifications/ssrf.js';
import { JobQueue } from '../../src/queue/queue.js';
import { buildApp, type App, type AppDeps } from '../../src/server/app.js';
import { createServiceStore, type ServiceStore } from '../../src/store/repositories/index.js';
import { createSecretBox } from '../../src/store/repositories/secret-box.js';
import { VulnerabilityStore } from '../../src/store/vulnerability-store.js';
import { serviceOpenOptions } from './service-fixture.js';
import { openTestDatabase, type StoreKind, type TestDatabase } from './databases.js';

export const PASSWORDS = { admin: 'admin-password', alice: 'alice-password', bob: 'bob-password' } as const;

export interface ApiHarness {
  app: App;
  store: ServiceStore;
  queue: JobQueue;
  database: TestDatabase;
  /** A request as `user` (basic auth) with Content-Type: application/json, body or not. */
  call(
    user: keyof typeof PASSWORDS | { bearer: string } | null,
    options: InjectOptions,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

const DEFAULT_OPEN = serviceOpenOptions(undefined, join(tmpdir(), 'portcullis-api-test-cache'));

/** Accounts: admin (admin/admin), team-a (alice), team-b (bob). */
export async function startApi(
  kind: StoreKind,
  open: Omit<OpenOptions, 'tempDir'> = DEFAULT_OPEN,
  extra: Partial<AppDeps> = {},
): Promise<ApiHarness> {
  const database = await openTestDatabase(kind);
  const store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
  const queue = new JobQueue(database.db);
  const tempRoot = await mkdtemp(join(tmpdir(), 'pc-api-'));
  await store.accounts.create({ name: 'admin', type: 'admin' });
  await store.users.create({ username: 'admin', accountName: 'admin', password: PASSWORDS.admin });
  for (const [account, user] of [
    ['team-a', 'alice'],
    ['team-b', 'bob'],
  ] as const) {
    await store.accounts.create({ name: account, type: 'user' });
    await store.users.create({ username: user, accountName: account, password: PASSWORDS[user] });
  }
  const vulnerabilities = new VulnerabilityStore(database.db);
  const app = await buildApp({
    store,
    queue,
    logger: false,
    version: '0.1.0',
    hostId: 'test-host',
    baseUrl: 'http://127.0.0.1:8228',
    resolveImage: createResolveImage(store, open, tempRoot),
    checkRegistryLogin: (login) => checkRegistryLogin(open.registry, login),
    ready: async () => true,
    schemaVersion: async () => 11,
    feeds: feedStatusOf(vulnerabilities),
    // Tests run webhook receivers on 127.0.0.1; the service's own address stays refused.
    webhookGuard: new UrlGuard({ allowCidrs: ['127.0.0.0/8'], selfOrigins: ['http://127.0.0.1:8228'] }),
    ...extra,
  });
  await app.ready();
  return {
    app,
    store,
    queue,
    database,
    call(user, options) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...(options.headers as Record<string, string> | undefined),
      };
      if (typeof user === 'string')
        headers.authorization = `Basic ${Buffer.from(`${user}:${PASSWORDS[user]}`).toString('base64')}`;
      else if (user) headers.authorization = `Bearer ${user.bearer}`;
      return app.inject({ ...options, headers });
    },
    async close() {
      await app.close();
      await database.stop();
      await rm(tempRoot, { recursive: true, force: true });
    },
  };
}
