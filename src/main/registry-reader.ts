/**
 * The watchers' RegistryReader over the registry back-end: tag lists (bounded, paged) and tag
 * HEADs with an account's registry logins, through the process's one client pool. One access
 * is kept per distinct set of logins while in recent use (as the registry writer does), so a
 * poll round reuses clients, connections and tokens, never across different logins.
 */
import { createHash } from 'node:crypto';
import {
  listTags,
  DEFAULT_TAG_LIST_LIMITS,
  type TagListLimits,
} from '../core/image/backends/registry/tags-list.js';
import type { ImageEnvironment, RegistryAccess } from '../core/image/options.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { RegistryReader } from '../worker/registry-poll.js';
import { accountAccess } from './image-access.js';

const MAX_ACCESSES = 64;

export function createRegistryReader(
  store: ServiceStore,
  environment: ImageEnvironment,
  limits: TagListLimits = DEFAULT_TAG_LIST_LIMITS,
): RegistryReader {
  const accesses = new Map<string, RegistryAccess>();
  const clientFor = async (registry: string, accountName: string) => {
    const logins = await store.registries.logins(accountName);
    const key = createHash('sha256').update(JSON.stringify(logins)).digest('hex');
    let access = accesses.get(key);
    if (access) accesses.delete(key);
    else access = accountAccess(logins, accountName);
    accesses.set(key, access);
    const oldest = accesses.keys().next().value;
    if (accesses.size > MAX_ACCESSES && oldest !== undefined) accesses.delete(oldest);
    return environment.clients.client(registry, access);
  };
  return {
    async listTags(repo, accountName) {
      const client = await clientFor(repo.registry, accountName);
      return (await listTags({ client, repository: repo.repository }, limits)).tags;
    },
    async headTag(ref, accountName) {
      const client = await clientFor(ref.registry, accountName);
      const found = await client.headManifest(
        ref.repository,
        ref.tag,
        environment.limits.maxManifestBytes,
        `tag ${ref.registry}/${ref.repository}:${ref.tag}`,
      );
      return { digest: found.digest, mediaType: found.mediaType };
    },
  };
}
