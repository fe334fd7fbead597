/**
 * Content-addressed cache of registry blobs under `<cacheDir>/blobs/<algorithm>/<hex>`.
 * A blob is downloaded to a temp name next to its final place and renamed only once its
 * digest and size check out, so a reader never sees a partial or wrong file, two processes
 * pulling the same blob each write their own temp file (the atomic rename makes the last
 * identical copy win), and deleting the cache at any moment is safe.
 *
 * Temp names carry the writer's pid: `<hex>.tmp-<pid>-<uuid>`. A temp file is "locked" while
 * that process lives; one left by a crashed process is swept once it is older than an hour.
 */
import { randomUUID } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { digestHex } from '../../digest.js';
import type { Descriptor } from '../../types.js';
import { touchLastUse } from '../../../cache/touch.js';

/** The blob cache's folder under the cache dir: `blobs/<algorithm>/<hex>`. */
export const BLOBS_DIR = 'blobs';

/** A temp file untouched for this long has no live writer (downloads time out far sooner). */
export const STALE_TEMP_MS = 60 * 60 * 1000;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `<hex>.tmp-<pid>-<uuid>`, or `<hex>.tmp-<uuid>` from versions that did not mark the writer. */
const TEMP_RE = new RegExp(`\\.tmp-(?:(\\d+)-)?${UUID}$`);

export function blobCachePath(cacheDir: string, digest: string): string {
  return join(cacheDir, BLOBS_DIR, digest.slice(0, digest.indexOf(':')), digestHex(digest));
}

/** A fresh temp name next to `final`, marked with our pid so a sweep knows we hold it. */
export function blobTempPath(final: string): string {
  return `${final}.tmp-${process.pid}-${randomUUID()}`;
}

/** Whether the cache holds a complete copy of a blob; a leftover of the wrong size is removed. */
export async function isCached(final: string, descriptor: Descriptor): Promise<boolean> {
  const found = await stat(final).catch(() => undefined);
  // Readers verify the digest; the size check catches truncated copies before any reading.
  if (found?.isFile() && (descriptor.size < 0 || found.size === descriptor.size)) return true;
  if (found) await unlink(final).catch(() => undefined);
  return false;
}

/**
 * The cached copy of a blob, or undefined. The file is opened here, before the stream exists:
 * once we hold the descriptor a concurrent prune may unlink the name and we still read the
 * whole blob; a prune that wins the race makes this a miss, and the caller downloads.
 */
export async function openCachedFile(final: string, descriptor: Descriptor): Promise<ReadStream | undefined> {
  if (!(await isCached(final, descriptor))) return undefined;
  const handle = await open(final, 'r').catch(() => undefined);
  if (!handle) return undefined;
  await touchLastUse(final);
  return handle.createReadStream();
}

/** Whether `name` is a blob temp file; `owner` is the writer's pid when the name records it. */
export function parseBlobTempName(name: string): { owner: number | undefined } | undefined {
  const match = TEMP_RE.exec(name);
  if (!match) return undefined;
  return { owner: match[1] === undefined ? undefined : Number(match[1]) };
}

/**
 * Whether a blob temp file may be deleted: old enough that no download can still be writing it,
 * and its writer (when the name records one) is gone. Shared by the sweep and the cache pruner.
 */
export function isStaleBlobTemp(
  name: string,
  mtimeMs: number,
  now: number,
  maxAgeMs = STALE_TEMP_MS,
): boolean {
  const temp = parseBlobTempName(name);
  if (!temp) return false;
  return now - mtimeMs > maxAgeMs && (temp.owner === undefined || !alive(temp.owner));
}

/** Whether process `pid` on this host still runs (then its temp files are in use). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0 probes without signalling
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SweepResult {
  removed: string[];
  kept: string[];
}

/**
 * Removes temp files older than `maxAgeMs` whose writer is gone. Errors (a cache on a
 * read-only disk, a file another sweep removed first) are skipped: a sweep never fails a pull.
 */
export async function sweepStaleTemps(
  cacheDir: string,
  maxAgeMs: number = STALE_TEMP_MS,
  now: number = Date.now(),
): Promise<SweepResult> {
  const result: SweepResult = { removed: [], kept: [] };
  const root = join(cacheDir, BLOBS_DIR);
  const algorithms = await readdir(root).catch(() => [] as string[]);
  for (const algorithm of algorithms) {
    const names = await readdir(join(root, algorithm)).catch(() => [] as string[]);
    for (const name of names) {
      if (!parseBlobTempName(name)) continue;
      const path = join(root, algorithm, name);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      const stale = isStaleBlobTemp(name, info.mtimeMs, now, maxAgeMs);
      if (
        stale &&
        (await unlink(path).then(
          () => true,
          () => false,
        ))
      )
        result.removed.push(path);
      else result.kept.push(path);
    }
  }
  return result;
}

const swept = new Map<string, Promise<SweepResult>>();

/** Sweeps a cache directory once per process, the first time it is opened. */
export function sweepOnce(cacheDir: string): Promise<SweepResult> {
  let pending = swept.get(cacheDir);
  if (!pending) {
    pending = sweepStaleTemps(cacheDir);
    swept.set(cacheDir, pending);
  }
  return pending;
}

/**
 * A blob streamed straight from the network (no cache, or a cache that cannot be written),
 * with transport errors turned into coded ones by `mapError`.
 */
export function uncachedBlob(body: Readable, mapError: (err: unknown) => Error): Readable {
  const out = new PassThrough();
  body.on('error', (err) => out.destroy(mapError(err)));
  // A consumer that stops early must release the connection too.
  out.on('close', () => body.destroy());
  return body.pipe(out);
}
