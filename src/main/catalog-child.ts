/**
 * The CPU-heavy half of an analysis (pull, unpack, catalog) in a process of its own, so the
 * API's event loop stays free and a crash or abort takes only this process down. The parent
 * (catalog-process.ts) sends one request over IPC and gets one reply.
 */
import { createHash } from 'node:crypto';
import { ALL_CATALOGERS } from '../core/catalog/catalogers.js';
import { catalogImageWithContents } from '../core/catalog/catalog-image.js';
import { DiskLayerCache } from '../core/catalog/layer-cache.js';
import { isPortcullisError } from '../core/errors.js';
import { openImage } from '../core/image/open.js';
import type { OpenOptions } from '../core/image/options.js';
import { DEFAULT_SECRET_RULES } from '../core/secrets/default-rules.js';
import { DEFAULT_SECRET_SCAN_OPTIONS } from '../core/secrets/scan.js';
import { CHANGELOG_GLOB } from '../core/suppression/index.js';
import type { CatalogReply, CatalogRequest } from './catalog-process.js';

async function catalog(request: CatalogRequest): Promise<CatalogReply> {
  const open: OpenOptions = request.open;
  const image = await openImage(request.source, open);
  const [result, config, manifest, layers] = await Promise.all([
    catalogImageWithContents(image, open, {
      catalogers: ALL_CATALOGERS,
      scope: 'squashed',
      digestMaxBytes: 128 * 1024 * 1024,
      captureMaxBytes: 256 * 1024 * 1024,
      secrets: { rules: DEFAULT_SECRET_RULES, options: DEFAULT_SECRET_SCAN_OPTIONS },
      secretsVersion: 'portcullis@2',
      cache: new DiskLayerCache(open.cacheDir),
      extraCaptureGlobs: [CHANGELOG_GLOB],
    }),
    image.config(),
    image.rawManifest(),
    image.layers(),
  ]);
  return {
    ok: true,
    imageDigest: image.digest,
    configDigest: createHash('sha256')
      .update(await image.rawConfig())
      .digest('hex'),
    document: result.document,
    retrieved: [...result.retrieved.entries()],
    config,
    manifest: manifest.toString('utf8'),
    compressedSize: layers.reduce((sum, l) => sum + (l.size ?? 0), 0),
  };
}

process.once('message', (request: CatalogRequest) => {
  catalog(request).then(
    // The parent ends this process once it has the reply.
    (reply) => process.send?.(reply),
    (err: unknown) => {
      const error = isPortcullisError(err)
        ? { code: err.code, message: err.message }
        : { code: 'IO' as const, message: err instanceof Error ? err.message : String(err) };
      process.send?.({ ok: false, error } satisfies CatalogReply);
    },
  );
});
