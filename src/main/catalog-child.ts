/**
 * The CPU-heavy half of an analysis (pull, unpack, catalog) in a process of its own, so the
 * API's event loop stays free and a crash or abort takes only this process down. The parent
 * (catalog-process.ts) sends one request over IPC and gets one reply. The analysis itself is
 * the pipeline's `analyze`, the same code `portcullis scan` runs.
 */
import { createHash } from 'node:crypto';
import { isPortcullisError } from '../core/errors.js';
import { openImage } from '../core/image/open.js';
import { analyze, type AnalyzeRequest } from '../core/pipeline/index.js';
import type { CatalogReply, CatalogRequest } from './catalog-process.js';
import { environmentFrom, requestFrom } from './image-access.js';

async function catalog(plain: CatalogRequest): Promise<CatalogReply> {
  if (plain.subject.kind !== 'image') throw new Error('the analysis process takes image sources only');
  // This process's own pool, closed when the reply is sent (the parent then ends the process).
  const environment = environmentFrom(plain.environment);
  try {
    return await catalogWith(
      { ...plain, environment, image: requestFrom(plain.image) },
      plain.subject.source,
    );
  } finally {
    await environment.clients.close();
  }
}

async function catalogWith(request: AnalyzeRequest, source: string): Promise<CatalogReply> {
  // The source is pinned by digest, so this second open sees the same manifest `analyze` reads;
  // it costs a manifest and a config fetch, for the record's metadata only.
  const image = await openImage(source, request.environment, request.image);
  const [analysis, rawConfig, manifest, layers] = await Promise.all([
    analyze(request),
    image.rawConfig(),
    image.rawManifest(),
    image.layers(),
  ]);
  if (!analysis.config) throw new Error('the analysis of an image returned no image config');
  return {
    ok: true,
    imageDigest: image.digest,
    configDigest: createHash('sha256').update(rawConfig).digest('hex'),
    document: analysis.document,
    retrieved: [...analysis.retrieved.entries()],
    config: analysis.config,
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
