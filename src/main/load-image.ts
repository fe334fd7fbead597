/**
 * `serve --load-image SOURCE=TAG`: the operator's local image (an OCI layout or an archive) is
 * recorded in an account under TAG and analysed by the workers like any added image. The
 * analysis job carries the local source, and workers run only the sources their own
 * configuration names (AnalyzeImageDeps.localSources): an API request can never make the
 * service read a local path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalImage } from '../config/service.js';
import { openImage } from '../core/image/open.js';
import type { ImageEnvironment } from '../core/image/options.js';
import { hostPlatform } from '../core/image/platform.js';
import { parseReference } from '../core/image/reference/parse.js';
import type { JobQueue } from '../queue/queue.js';
import { addImageAndQueue } from '../queue/request-analysis.js';
import type { ImageRecord } from '../store/repositories/images.js';
import type { ServiceStore } from '../store/repositories/index.js';

export interface LoadImageDeps {
  store: ServiceStore;
  queue: JobQueue;
  environment: ImageEnvironment;
  tempRoot: string;
}

export async function loadLocalImage(
  deps: LoadImageDeps,
  local: LocalImage,
  accountName = 'admin',
): Promise<ImageRecord> {
  const tempDir = await mkdtemp(join(deps.tempRoot, 'load-image-'));
  let digest: string;
  try {
    digest = (
      await openImage(local.source, deps.environment, {
        platform: hostPlatform(),
        allPlatforms: false,
        tempDir,
      })
    ).digest;
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  const ref = parseReference(local.tag);
  const tag = { registry: ref.registry, repo: ref.repository, tag: ref.tag ?? 'latest' };
  const image = await addImageAndQueue(deps.store, deps.queue, {
    accountName,
    imageDigest: digest,
    tag,
    source: local.source,
  });
  await deps.store.subscriptions.ensureForTag(accountName, `${tag.registry}/${tag.repo}:${tag.tag}`, true);
  return image;
}
