/**
 * What the on-disk caches hold: every file of the blob cache and of the layer cache (per-layer
 * entries and whole-image results), with its size and last use (mtime, refreshed by every read:
 * see touch.ts). Only the caches' own folders are walked; the vulnerability database (`db/`),
 * the feed downloads and anything else under the cache dir are never looked at. Symbolic
 * links are never followed: a link planted in a cache folder is neither an entry nor a way out.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isStaleBlobTemp,
  parseBlobTempName,
  BLOBS_DIR,
  STALE_TEMP_MS,
} from '../image/backends/registry/blob-cache.js';
import {
  ENTRY_NAME_RE,
  ENTRY_TEMP_RE,
  LAYER_ENTRIES_DIR,
  RESULT_ENTRIES_DIR,
} from '../catalog/layer-cache.js';

export const CACHE_KINDS = ['blobs', 'layers', 'results'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

/** Each cache's folder under the cache dir. */
export const CACHE_KIND_DIRS: Readonly<Record<CacheKind, string>> = {
  blobs: BLOBS_DIR,
  layers: LAYER_ENTRIES_DIR,
  results: RESULT_ENTRIES_DIR,
};

/**
 * entry: a complete cached item, evictable. temp: a write in progress or abandoned by a dead
 * writer; `stale` says it may go. other: a file the caches do not name; counted, never removed.
 */
export type CacheFileRole = 'entry' | 'temp' | 'other';

export interface CacheFile {
  kind: CacheKind;
  role: CacheFileRole;
  path: string;
  /** The real directory the file was found in (the pruner re-checks it before unlinking). */
  dir: string;
  size: number;
  lastUseMs: number;
  stale: boolean;
}

export interface CacheInventory {
  /** The cache dir with symbolic links resolved; undefined when it does not exist. */
  root: string | undefined;
  files: CacheFile[];
}

export interface KindSummary {
  entries: number;
  entryBytes: number;
  temps: number;
  tempBytes: number;
  others: number;
  otherBytes: number;
  /** Every file of this kind: what a `du -b`-style walk of its folder adds up (files only). */
  bytes: number;
}

export interface CacheSummary {
  kinds: Record<CacheKind, KindSummary>;
  totalBytes: number;
}

function classify(
  kind: CacheKind,
  name: string,
  mtimeMs: number,
  now: number,
): Pick<CacheFile, 'role' | 'stale'> {
  if (kind === 'blobs') {
    if (/^[0-9a-f]+$/.test(name)) return { role: 'entry', stale: false };
    if (parseBlobTempName(name)) return { role: 'temp', stale: isStaleBlobTemp(name, mtimeMs, now) };
    return { role: 'other', stale: false };
  }
  if (ENTRY_NAME_RE.test(name)) return { role: 'entry', stale: false };
  // Layer-cache temps carry no pid; a write takes seconds, so one untouched for the blob
  // cache's stale age has no writer left.
  if (ENTRY_TEMP_RE.test(name)) return { role: 'temp', stale: now - mtimeMs > STALE_TEMP_MS };
  return { role: 'other', stale: false };
}

async function entriesOf(dir: string): Promise<Dirent[]> {
  return readdir(dir, { withFileTypes: true }).catch(() => []);
}

/** Files two levels down (`<kind>/<algorithm or shard>/<file>`), the layout both caches use. */
async function walkKind(root: string, kind: CacheKind, now: number): Promise<CacheFile[]> {
  const top = join(root, CACHE_KIND_DIRS[kind]);
  const topInfo = await lstat(top).catch(() => undefined);
  if (!topInfo?.isDirectory()) return []; // missing, or a symbolic link: not followed
  const shards = (await entriesOf(top)).filter((d) => d.isDirectory());
  const perShard = await Promise.all(
    shards.map(async (shard) => {
      const dir = join(top, shard.name);
      const files = (await entriesOf(dir)).filter((d) => d.isFile());
      const found = await Promise.all(
        files.map(async (file): Promise<CacheFile | undefined> => {
          const path = join(dir, file.name);
          const info = await lstat(path).catch(() => undefined);
          if (!info?.isFile()) return undefined; // removed or replaced meanwhile
          return {
            kind,
            path,
            dir,
            size: info.size,
            lastUseMs: info.mtimeMs,
            ...classify(kind, file.name, info.mtimeMs, now),
          };
        }),
      );
      return found.filter((f): f is CacheFile => f !== undefined);
    }),
  );
  return perShard.flat();
}

/** Every file of the caches under `cacheDir`; an absent cache dir is an empty inventory. */
export async function readCacheInventory(
  cacheDir: string,
  now: number = Date.now(),
): Promise<CacheInventory> {
  const root = await realpath(cacheDir).catch(() => undefined);
  if (!root) return { root: undefined, files: [] };
  const perKind = await Promise.all(CACHE_KINDS.map((kind) => walkKind(root, kind, now)));
  return { root, files: perKind.flat() };
}

export function summarizeCache(files: readonly CacheFile[]): CacheSummary {
  const empty = (): KindSummary => ({
    entries: 0,
    entryBytes: 0,
    temps: 0,
    tempBytes: 0,
    others: 0,
    otherBytes: 0,
    bytes: 0,
  });
  const kinds: Record<CacheKind, KindSummary> = { blobs: empty(), layers: empty(), results: empty() };
  let totalBytes = 0;
  for (const file of files) {
    const kind = kinds[file.kind];
    if (file.role === 'entry') {
      kind.entries++;
      kind.entryBytes += file.size;
    } else if (file.role === 'temp') {
      kind.temps++;
      kind.tempBytes += file.size;
    } else {
      kind.others++;
      kind.otherBytes += file.size;
    }
    kind.bytes += file.size;
    totalBytes += file.size;
  }
  return { kinds, totalBytes };
}
