/**
 * Copies an image by digest from one repository to another, with the source's exact bytes so
 * the destination digest is the source digest: a manifest (config and layers) or a whole index
 * (every child first), referrers, then the tags. Blobs go before the manifest that names them
 * and children before their index, so the destination never holds a manifest pointing at a
 * missing blob; a failure part-way leaves only blobs (unreferenced, harmless) behind.
 */
import { z } from 'zod';
import { PortcullisError } from '../../../errors.js';
import type { Descriptor } from '../../types.js';
import { putManifest, type BlobOutcome, type RepositoryTarget } from './push.js';
import { findReferrers, listInFallbackIndex } from './referrers.js';
import { copyBlob, DEFAULT_UPLOAD_OPTIONS, type UploadOptions, type UploadStats } from './upload.js';

const DEFAULT_CONCURRENCY = 4;
const descriptor = z.looseObject({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  size: z.number().int().nonnegative(),
});
/** Any manifest-like document: image manifest, index, or an artifact manifest. */
const document = z.looseObject({
  mediaType: z.string().optional(),
  config: descriptor.optional(),
  layers: z.array(descriptor).optional(),
  blobs: z.array(descriptor).optional(),
  manifests: z.array(descriptor).optional(),
});

export interface CopyRequest {
  source: RepositoryTarget;
  destination: RepositoryTarget;
  /** The digest to copy (what was scanned), never a tag that may have moved. */
  digest: string;
  /** Tags to point at the digest in the destination once everything is there. */
  tags: readonly string[];
  /** Copy signatures and attestations too (default true). */
  referrers?: boolean;
  maxManifestBytes: number;
  /** Blobs copied at once (default 4). */
  concurrency?: number;
  /** When blob uploads are chunked and how often they resume (`DEFAULT_UPLOAD_OPTIONS`). */
  upload?: Partial<UploadOptions>;
  signal?: AbortSignal;
}

export interface CopyResult {
  digest: string;
  mediaType: string;
  /** Every manifest pushed, children and referrers included, in push order. */
  manifests: string[];
  blobs: Record<BlobOutcome, number>;
  /** Chunked uploads resumed after a lost connection, and uploads started again from zero. */
  uploads: UploadStats;
  /** Referrer manifests copied (by digest), and fallback-schema tags copied. */
  referrers: string[];
  tags: string[];
}

interface Copier {
  req: CopyRequest;
  blobsDone: Map<string, Promise<BlobOutcome>>;
  manifestsDone: Set<string>;
  result: CopyResult;
}

async function runLimited<T>(
  items: readonly T[],
  limit: number,
  each: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await each(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function blobOnce(copier: Copier, blob: Descriptor): Promise<BlobOutcome> {
  let pending = copier.blobsDone.get(blob.digest);
  if (!pending) {
    const { source, destination, signal } = copier.req;
    const options = { ...DEFAULT_UPLOAD_OPTIONS, ...copier.req.upload };
    pending = copyBlob(source, destination, blob, signal, options, copier.result.uploads).then((outcome) => {
      copier.result.blobs[outcome] += 1;
      return outcome;
    });
    copier.blobsDone.set(blob.digest, pending);
  }
  return pending;
}

/** Copies the manifest `digest` and all it references; returns its bytes and media type. */
async function copyManifest(
  copier: Copier,
  digest: string,
  tagAs?: string,
): Promise<{ raw: Buffer; mediaType: string; digest: string }> {
  const { source, destination, signal, maxManifestBytes } = copier.req;
  signal?.throwIfAborted();
  const fetched = await source.client.getManifest(
    source.repository,
    digest,
    maxManifestBytes,
    `manifest ${digest} of ${source.client.registry}/${source.repository}`,
  );
  const parsed = document.safeParse(JSON.parse(fetched.raw.toString('utf8')));
  if (!parsed.success)
    throw new PortcullisError(
      'MANIFEST_INVALID',
      `manifest ${digest} of ${source.repository} is not a manifest or index`,
    );
  const mediaType = fetched.mediaType ?? parsed.data.mediaType;
  if (!mediaType)
    throw new PortcullisError(
      'MANIFEST_INVALID',
      `manifest ${digest} of ${source.repository} has no media type`,
    );
  const manifest = { raw: fetched.raw, mediaType, digest };
  if (copier.manifestsDone.has(digest) && !tagAs) return manifest;
  // Children first (one after another: each copies its own blobs in parallel).
  for (const child of parsed.data.manifests ?? []) await copyManifest(copier, child.digest);
  const blobs = [
    ...(parsed.data.config ? [parsed.data.config] : []),
    ...(parsed.data.layers ?? []),
    ...(parsed.data.blobs ?? []),
  ].map((b) => ({ mediaType: b.mediaType ?? '', digest: b.digest, size: b.size }));
  await runLimited(blobs, copier.req.concurrency ?? DEFAULT_CONCURRENCY, async (blob) => {
    await blobOnce(copier, blob);
  });
  if (!copier.manifestsDone.has(digest)) {
    await putManifest(destination, digest, manifest, signal);
    copier.manifestsDone.add(digest);
    copier.result.manifests.push(digest);
  }
  if (tagAs) await putManifest(destination, tagAs, manifest, signal);
  return manifest;
}

/** Copies `req.digest` with everything it references, its referrers, then its tags. */
export async function copyImage(req: CopyRequest): Promise<CopyResult> {
  const result: CopyResult = {
    digest: req.digest,
    mediaType: '',
    manifests: [],
    blobs: { present: 0, mounted: 0, uploaded: 0 },
    uploads: { resumed: 0, restarted: 0 },
    referrers: [],
    tags: [],
  };
  const copier: Copier = { req, blobsDone: new Map(), manifestsDone: new Set(), result };
  const root = await copyManifest(copier, req.digest);
  result.mediaType = root.mediaType;
  if (req.referrers !== false) {
    const found = await findReferrers(req.source, req.digest, req.maxManifestBytes, req.signal);
    for (const referrer of found.manifests) {
      await copyManifest(copier, referrer.digest);
      result.referrers.push(referrer.digest);
    }
    if (found.manifests.length > 0) {
      // A destination without the referrers API finds them through its `sha256-<hex>` index.
      const listed = await listInFallbackIndex(
        req.destination,
        req.digest,
        found.manifests,
        req.maxManifestBytes,
        req.signal,
      );
      if (listed && listed !== 'api') result.referrers.push(listed);
    }
    for (const tag of found.tags) {
      const head = await req.source.client.headManifest(
        req.source.repository,
        tag,
        req.maxManifestBytes,
        `referrers tag ${tag} of ${req.source.repository}`,
      );
      await copyManifest(copier, head.digest, tag);
      result.referrers.push(tag);
    }
  }
  // Last: a tag appears only when everything it reaches is in place.
  for (const tag of req.tags) {
    await putManifest(req.destination, tag, root, req.signal);
    result.tags.push(tag);
  }
  return result;
}

/** Points `tag` at a manifest already in the repository (quarantine marks, digest tags). */
export async function tagManifest(
  target: RepositoryTarget,
  digest: string,
  tag: string,
  maxManifestBytes: number,
  signal?: AbortSignal,
): Promise<void> {
  const fetched = await target.client.getManifest(
    target.repository,
    digest,
    maxManifestBytes,
    `manifest ${digest} of ${target.client.registry}/${target.repository}`,
  );
  const mediaType =
    fetched.mediaType ?? (JSON.parse(fetched.raw.toString('utf8')) as { mediaType?: string }).mediaType;
  if (!mediaType) throw new PortcullisError('MANIFEST_INVALID', `manifest ${digest} has no media type`);
  await putManifest(target, tag, { raw: fetched.raw, mediaType, digest }, signal);
}
