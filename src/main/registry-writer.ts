/**
 * The promote job's RegistryWriter over the registry back-end. Request options carry the
 * account's logins (each for its own host); one set of options, hence one connection pool and
 * token cache, is kept per distinct set of logins while it is in use, so promotions in a row
 * reuse their TLS connections and tokens, and never share them with another account's logins.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage, tagManifest } from '../core/image/backends/registry/copy.js';
import { closeRegistryClients, registryClient } from '../core/image/backends/registry/index.js';
import type { RepositoryTarget } from '../core/image/backends/registry/push.js';
import type { OpenOptions, RegistryOptions } from '../core/image/options.js';
import type { RegistryLogin } from '../worker/analyze.js';
import type { RegistryWriter, RepositoryLocation } from '../worker/promote.js';
import { requestOptions } from './analyze-image.js';

/** Pools idle this long are closed. */
const IDLE_MS = 60_000;

interface Pool {
  options: RegistryOptions;
  users: number;
  idleTimer: NodeJS.Timeout | undefined;
}

const target = (options: RegistryOptions, at: RepositoryLocation): RepositoryTarget => ({
  client: registryClient(at.registry, options),
  repository: at.repository,
});

export interface ClosableRegistryWriter extends RegistryWriter {
  close(): Promise<void>;
}

export async function createRegistryWriter(
  open: Omit<OpenOptions, 'tempDir'>,
  tempRoot: string,
): Promise<ClosableRegistryWriter> {
  // Copies stream and never spill to disk; the scratch dir only satisfies the options' shape.
  const tempDir = await mkdtemp(join(tempRoot, 'promote-'));
  const pools = new Map<string, Pool>();

  const acquire = (credentials: readonly RegistryLogin[]): [string, Pool] => {
    const key = createHash('sha256').update(JSON.stringify(credentials)).digest('hex');
    let pool = pools.get(key);
    if (!pool) {
      pool = { options: requestOptions(open, credentials, tempDir).registry, users: 0, idleTimer: undefined };
      pools.set(key, pool);
    }
    clearTimeout(pool.idleTimer);
    pool.users++;
    return [key, pool];
  };
  const release = (key: string, pool: Pool) => {
    pool.users--;
    if (pool.users > 0) return;
    pool.idleTimer = setTimeout(() => {
      pools.delete(key);
      void closeRegistryClients(pool.options);
    }, IDLE_MS);
    pool.idleTimer.unref();
  };
  const withPool = async <T>(
    credentials: readonly RegistryLogin[],
    use: (options: RegistryOptions) => Promise<T>,
  ): Promise<T> => {
    const [key, pool] = acquire(credentials);
    try {
      return await use(pool.options);
    } finally {
      release(key, pool);
    }
  };
  const maxManifestBytes = open.limits.maxManifestBytes;

  return {
    copy: (request) =>
      withPool(request.credentials, (options) =>
        copyImage({
          source: target(options, request.source),
          destination: target(options, request.destination),
          digest: request.digest,
          tags: request.tags,
          referrers: request.referrers,
          maxManifestBytes,
          signal: request.signal,
        }),
      ),
    tag: (request) =>
      withPool(request.credentials, (options) =>
        tagManifest(
          target(options, request.target),
          request.digest,
          request.tag,
          maxManifestBytes,
          request.signal,
        ),
      ),
    async close() {
      for (const pool of pools.values()) {
        clearTimeout(pool.idleTimer);
        await closeRegistryClients(pool.options);
      }
      pools.clear();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
