/**
 * Copying one blob's bytes (OCI distribution, "pushing blobs"): nothing when the destination
 * has it, a mount within one registry, else an upload streamed from the source's response.
 * Small blobs go in one monolithic PUT. Above `chunkThreshold` the upload is chunked (PATCH
 * with Content-Range, then a PUT with the digest), so a connection lost part-way resumes where
 * the registry says it stopped (`GET` on the upload URL answers `Range: 0-<end>`) with the
 * source read again from that offset, instead of sending the whole blob again. A registry that
 * refuses chunks gets the monolithic PUT; one that lost the session gets a fresh one.
 * Memory stays bounded: chunks are streamed, never buffered.
 */
import type { Readable } from 'node:stream';
import { isPortcullisError, PortcullisError } from '../../../errors.js';
import type { Descriptor } from '../../types.js';
import {
  blobExists,
  header,
  pushScope,
  startUpload,
  type BlobOutcome,
  type RepositoryTarget,
} from './push.js';
import { ChunkSource } from './chunk-source.js';

export interface UploadOptions {
  /** Blobs larger than this (bytes) are uploaded in chunks (default 64 MiB). */
  chunkThreshold: number;
  /** Bytes per PATCH (default 16 MiB). */
  chunkSize: number;
  /** How often one upload resumes after a lost connection before the copy fails (default 3). */
  resumes: number;
}

export const DEFAULT_UPLOAD_OPTIONS: UploadOptions = {
  chunkThreshold: 64 * 1024 * 1024,
  chunkSize: 16 * 1024 * 1024,
  resumes: 3,
};

/** What the caller learns of an upload (tests and the copy result). */
export interface UploadStats {
  /** Times a chunked upload resumed from the registry's offset. */
  resumed: number;
  /** Times it had to start again from the first byte (session lost, chunks refused). */
  restarted: number;
}

/** Statuses that say "no chunked uploads here": use one monolithic PUT instead. */
const CHUNKS_REFUSED = new Set([400, 405, 415, 501]);

interface Upload {
  source: RepositoryTarget;
  destination: RepositoryTarget;
  blob: Descriptor;
  signal: AbortSignal | undefined;
  stats: UploadStats;
}

/** A lost connection or a registry-side 5xx: the bytes it holds are worth keeping. */
function resumable(err: unknown): boolean {
  if (isPortcullisError(err, 'REGISTRY_UNREACHABLE') || isPortcullisError(err, 'TIMEOUT')) return true;
  if (isPortcullisError(err, 'REGISTRY_ERROR')) return Number(err.details.status) >= 500;
  // The registry holds another offset than we thought: ask it where it stands.
  return isPortcullisError(err, 'REGISTRY_PROTOCOL') && err.details.offsetMismatch === true;
}

async function openSource(up: Upload, offset: number): Promise<ChunkSource> {
  const { source, blob, signal } = up;
  const what = `blob ${blob.digest} of ${source.client.registry}/${source.repository}`;
  const res = await source.client.fetchBlob(source.repository, blob.digest, what, {
    ...(offset > 0 ? { offset } : {}),
    ...(signal ? { signal } : {}),
  });
  const chunks = new ChunkSource(res.body);
  if (offset > 0 && res.statusCode === 200) await chunks.skip(offset);
  else if (offset > 0) {
    const start = /^bytes (\d+)-/.exec(header(res.headers['content-range']) ?? '')?.[1];
    if (Number(start) !== offset) {
      chunks.destroy();
      throw new PortcullisError(
        'REGISTRY_PROTOCOL',
        `${what}: asked from byte ${offset}, got ${start ?? 'no range'}`,
      );
    }
  }
  return chunks;
}

/** The monolithic PUT closing an upload session; the registry checks the digest itself. */
async function putWhole(up: Upload, location: URL): Promise<void> {
  const { source, destination, blob, signal } = up;
  const { client, repository } = destination;
  const download = await source.client.fetchBlob(
    source.repository,
    blob.digest,
    `blob ${blob.digest} of ${source.client.registry}/${source.repository}`,
    signal ? { signal } : {},
  );
  const body = download.body;
  const url = new URL(location);
  url.searchParams.set('digest', blob.digest);
  const what = `upload of blob ${blob.digest} to ${client.registry}/${repository}`;
  let res;
  try {
    res = await client.send({
      scope: pushScope(repository),
      method: 'PUT',
      path: url.href,
      what,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      body,
      signal,
    });
  } finally {
    // Whatever happened, the source response must not stay open.
    if (!body.readableEnded) body.destroy();
  }
  if (res.statusCode !== 201) throw await client.statusError(res, what, 'upload');
  await res.body.dump().catch(() => undefined);
}

/** The registry's `Range: 0-<end>` as the next offset; `0-0` is read as nothing held yet. */
function nextOffset(range: string | undefined): number | undefined {
  const end = /^(?:bytes=)?0-(\d+)$/.exec(range?.trim() ?? '')?.[1];
  if (end === undefined) return undefined;
  return Number(end) === 0 ? 0 : Number(end) + 1;
}

/** Where the registry stands on an upload (GET on its URL); undefined when it lost it. */
async function uploadStatus(
  up: Upload,
  location: URL,
): Promise<{ offset: number; location: URL } | undefined> {
  const { client, repository } = up.destination;
  const res = await client.send({
    scope: pushScope(repository),
    method: 'GET',
    path: location.href,
    what: `status of the upload of blob ${up.blob.digest} to ${client.registry}/${repository}`,
    signal: up.signal,
  });
  await res.body.dump().catch(() => undefined);
  const offset = nextOffset(header(res.headers.range));
  if (res.statusCode !== 204 || offset === undefined) return undefined;
  const next = header(res.headers.location);
  return { offset, location: next ? new URL(next, res.url) : location };
}

/** One PATCH of `length` bytes at `offset`; the registry's new offset and upload URL. */
async function patchChunk(
  up: Upload,
  location: URL,
  offset: number,
  length: number,
  body: Readable,
): Promise<{ offset: number; location: URL } | 'refused'> {
  const { client, repository } = up.destination;
  const what = `chunk ${offset}-${offset + length - 1} of blob ${up.blob.digest} to ${client.registry}/${repository}`;
  let res;
  try {
    res = await client.send({
      scope: pushScope(repository),
      method: 'PATCH',
      path: location.href,
      what,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(length),
        'content-range': `${offset}-${offset + length - 1}`,
      },
      body,
      signal: up.signal,
    });
  } finally {
    if (!body.readableEnded) body.destroy();
  }
  if (offset === 0 && CHUNKS_REFUSED.has(res.statusCode)) {
    await res.body.dump().catch(() => undefined);
    return 'refused';
  }
  if (res.statusCode === 416)
    throw new PortcullisError('REGISTRY_PROTOCOL', `${what}: the registry holds another offset (HTTP 416)`, {
      details: { offsetMismatch: true },
    });
  if (res.statusCode !== 202) throw await client.statusError(res, what, 'upload');
  await res.body.dump().catch(() => undefined);
  const next = header(res.headers.location);
  return {
    offset: nextOffset(header(res.headers.range)) ?? offset + length,
    location: next ? new URL(next, res.url) : location,
  };
}

async function closeChunked(up: Upload, location: URL): Promise<void> {
  const { client, repository } = up.destination;
  const url = new URL(location);
  url.searchParams.set('digest', up.blob.digest);
  const what = `completion of the upload of blob ${up.blob.digest} to ${client.registry}/${repository}`;
  const res = await client.send({
    scope: pushScope(repository),
    method: 'PUT',
    path: url.href,
    what,
    headers: { 'content-length': '0' },
    signal: up.signal,
  });
  if (res.statusCode !== 201) throw await client.statusError(res, what, 'upload');
  await res.body.dump().catch(() => undefined);
}

/** Chunks from `offset` on; on a lost connection asks the registry where it stands and goes on. */
async function putChunked(up: Upload, started: URL, options: UploadOptions): Promise<void> {
  const { blob, signal } = up;
  let location = started;
  let offset = 0;
  for (let attempt = 0; ; attempt++) {
    let chunks: ChunkSource | undefined;
    try {
      chunks = await openSource(up, offset);
      while (offset < blob.size) {
        const length = Math.min(options.chunkSize, blob.size - offset);
        const sent = await patchChunk(up, location, offset, length, chunks.take(length));
        if (sent === 'refused') {
          chunks.destroy();
          up.stats.restarted++;
          return await putWhole(up, await freshSession(up));
        }
        location = sent.location;
        if (sent.offset !== offset + length)
          throw new PortcullisError(
            'REGISTRY_PROTOCOL',
            `the registry took ${sent.offset - offset} of ${length} bytes`,
            {
              details: { offsetMismatch: true },
            },
          );
        offset = sent.offset;
      }
      chunks.destroy();
      return await closeChunked(up, location);
    } catch (err) {
      chunks?.destroy();
      if (signal?.aborted || attempt >= options.resumes || !resumable(err)) throw err;
    }
    const status = await uploadStatus(up, location).catch(() => undefined);
    if (status && status.offset <= blob.size) {
      ({ offset, location } = status);
      up.stats.resumed++;
    } else {
      location = await freshSession(up);
      offset = 0;
      up.stats.restarted++;
    }
  }
}

async function freshSession(up: Upload): Promise<URL> {
  const started = await startUpload(up.destination, up.blob.digest, undefined, up.signal);
  if (started === 'mounted') throw new PortcullisError('REGISTRY_PROTOCOL', 'a plain upload was mounted');
  return started;
}

/**
 * Copies one blob to the destination: nothing when present, a mount when both sides are
 * repositories of one registry (and it agrees), else a streamed upload from the source.
 */
export async function copyBlob(
  source: RepositoryTarget,
  destination: RepositoryTarget,
  blob: Descriptor,
  signal?: AbortSignal,
  options: UploadOptions = DEFAULT_UPLOAD_OPTIONS,
  stats: UploadStats = { resumed: 0, restarted: 0 },
): Promise<BlobOutcome> {
  const sameRegistry = source.client.registry === destination.client.registry;
  // Within one registry the mount request answers both questions (present? mountable?) in one
  // round trip; across registries a HEAD saves uploading what is already there.
  if (!sameRegistry && (await blobExists(destination, blob.digest, signal))) return 'present';
  const started = await startUpload(
    destination,
    blob.digest,
    sameRegistry ? source.repository : undefined,
    signal,
  );
  if (started === 'mounted') return 'mounted';
  const up: Upload = { source, destination, blob, signal, stats };
  if (blob.size > options.chunkThreshold) await putChunked(up, started, options);
  else await putWhole(up, started);
  return 'uploaded';
}
