/**
 * The promote job's RegistryWriter over the registry back-end. Copies go through the process's
 * one registry client pool; what differs per account is the access (its logins as a keychain,
 * each login for its own host). One access is kept per distinct set of logins while it is in
 * recent use, so promotions in a row reuse their clients, TLS connections and tokens, and never
 * share them with another account's logins (the pool keys clients by keychain).
 */
import { createHash } from 'node:crypto';
import { copyImage, tagManifest } from '../core/image/backends/registry/copy.js';
import type { RepositoryTarget } from '../core/image/backends/registry/push.js';
import type { ImageEnvironment, RegistryAccess } from '../core/image/options.js';
import type { RegistryLogin } from '../worker/analyze.js';
import type { RegistryWriter, RepositoryLocation } from '../worker/promote.js';
import { accountAccess } from './image-access.js';

/** Distinct sets of logins remembered at once; the least recently used is dropped beyond it. */
const MAX_ACCESSES = 64;

export interface ClosableRegistryWriter extends RegistryWriter {
  close(): Promise<void>;
}

/** The writer; the environment's client pool is closed by its owner (the service), not here. */
export function createRegistryWriter(environment: ImageEnvironment): ClosableRegistryWriter {
  const accesses = new Map<string, RegistryAccess>();

  const accessFor = (logins: readonly RegistryLogin[]): RegistryAccess => {
    const key = createHash('sha256').update(JSON.stringify(logins)).digest('hex');
    let access = accesses.get(key);
    if (access) accesses.delete(key);
    else access = accountAccess(logins);
    accesses.set(key, access);
    const oldest = accesses.keys().next().value;
    if (accesses.size > MAX_ACCESSES && oldest !== undefined) accesses.delete(oldest);
    return access;
  };
  const target = (access: RegistryAccess, at: RepositoryLocation): RepositoryTarget => ({
    client: environment.clients.client(at.registry, access),
    repository: at.repository,
  });
  const maxManifestBytes = environment.limits.maxManifestBytes;

  return {
    copy(request) {
      const access = accessFor(request.credentials);
      return copyImage({
        source: target(access, request.source),
        destination: target(access, request.destination),
        digest: request.digest,
        tags: request.tags,
        referrers: request.referrers,
        maxManifestBytes,
        signal: request.signal,
      });
    },
    tag(request) {
      return tagManifest(
        target(accessFor(request.credentials), request.target),
        request.digest,
        request.tag,
        maxManifestBytes,
        request.signal,
      );
    },
    async close() {
      accesses.clear();
    },
  };
}
