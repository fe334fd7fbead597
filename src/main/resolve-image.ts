/**
 * The API's tag → digest lookup: reads the manifest (or index) the reference names, with the
 * account's own registry credentials. Only manifests are fetched, never layers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openSource } from '../core/image/open.js';
import type { ImageEnvironment } from '../core/image/options.js';
import { formatReference } from '../core/image/reference/parse.js';
import { selectPlatform } from '../core/image/platform.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { ResolveImage } from '../server/routes/index.js';
import { accountRequest } from './analyze-image.js';

export function createResolveImage(
  store: ServiceStore,
  environment: ImageEnvironment,
  tempRoot: string,
): ResolveImage {
  return async (reference, accountName) => {
    const logins = await store.registries.logins(accountName);
    const tempDir = await mkdtemp(join(tempRoot, 'resolve-'));
    try {
      const request = accountRequest(logins, tempDir);
      // The whole normalized reference (registry, repository, tag or digest): the tag alone
      // would be read as an image of Docker Hub.
      const opened = await openSource(`registry:${formatReference(reference)}`, environment, request);
      if (opened.kind === 'image') return { digest: opened.image.digest, parentDigest: null };
      const child = selectPlatform(await opened.index.manifests(), request.platform, opened.index.source);
      return { digest: child.digest, parentDigest: opened.index.digest };
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  };
}
