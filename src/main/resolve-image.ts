/**
 * The API's tag → digest lookup: reads the manifest (or index) the reference names, with the
 * account's own registry credentials. Only manifests are fetched, never layers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openSource } from '../core/image/open.js';
import type { OpenOptions } from '../core/image/options.js';
import { fetchReference, referenceName } from '../core/image/reference/parse.js';
import { selectPlatform } from '../core/image/platform.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { ResolveImage } from '../server/routes/index.js';
import { requestOptions } from './analyze-image.js';

export function createResolveImage(
  store: ServiceStore,
  open: Omit<OpenOptions, 'tempDir'>,
  tempRoot: string,
): ResolveImage {
  return async (reference, accountName) => {
    const logins = (await store.registries.withSecrets(accountName)).map((c) => ({
      registry: c.registry,
      username: c.registryUser,
      password: c.registryPass,
      verifyTls: c.registryVerify,
    }));
    const tempDir = await mkdtemp(join(tempRoot, 'resolve-'));
    try {
      const options = requestOptions(open, logins, tempDir);
      // registry/repo and then what to fetch: `@digest` when pinned, else `:tag`.
      const what = fetchReference(reference);
      const source = `${referenceName(reference)}${what.startsWith('sha256:') ? '@' : ':'}${what}`;
      const opened = await openSource(`registry:${source}`, options);
      if (opened.kind === 'image') return { digest: opened.image.digest, parentDigest: null };
      const child = selectPlatform(await opened.index.manifests(), options.platform, opened.index.source);
      return { digest: child.digest, parentDigest: opened.index.digest };
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  };
}
