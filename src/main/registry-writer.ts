/**
 * The promote job's RegistryWriter over the registry back-end: request-scoped options carry
 * the account's logins (each for its own host), so one copy's clients and token caches are
 * its own and are closed when it ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyImage, tagManifest } from '../core/image/backends/registry/copy.js';
import { closeRegistryClients, registryClient } from '../core/image/backends/registry/index.js';
import type { RepositoryTarget } from '../core/image/backends/registry/push.js';
import type { OpenOptions, RegistryOptions } from '../core/image/options.js';
import type { RegistryLogin } from '../worker/analyze.js';
import type { RegistryWriter, RepositoryLocation } from '../worker/promote.js';
import { requestOptions } from './analyze-image.js';

async function withOptions<T>(
  open: Omit<OpenOptions, 'tempDir'>,
  tempRoot: string,
  credentials: readonly RegistryLogin[],
  use: (options: RegistryOptions, maxManifestBytes: number) => Promise<T>,
): Promise<T> {
  const tempDir = await mkdtemp(join(tempRoot, 'promote-'));
  const options = requestOptions(open, credentials, tempDir);
  try {
    return await use(options.registry, options.limits.maxManifestBytes);
  } finally {
    await closeRegistryClients(options.registry);
    await rm(tempDir, { recursive: true, force: true });
  }
}

const target = (options: RegistryOptions, at: RepositoryLocation): RepositoryTarget => ({
  client: registryClient(at.registry, options),
  repository: at.repository,
});

export function createRegistryWriter(open: Omit<OpenOptions, 'tempDir'>, tempRoot: string): RegistryWriter {
  return {
    copy: (request) =>
      withOptions(open, tempRoot, request.credentials, (options, maxManifestBytes) =>
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
      withOptions(open, tempRoot, request.credentials, (options, maxManifestBytes) =>
        tagManifest(
          target(options, request.target),
          request.digest,
          request.tag,
          maxManifestBytes,
          request.signal,
        ),
      ),
  };
}
