/**
 * Least-recently-used eviction of the blob and layer caches down to a byte limit.
 *
 * Removing an entry under a running scan is safe: readers open an entry's file before reading
 * it (blob-cache `openCachedFile`, layer-cache `readFile`) and an unlinked file stays readable
 * through an open descriptor, so a reader either gets the whole entry or, if the prune came
 * first, a miss it refills from the source. Writers never expose partial entries (they write a
 * temp file and rename it into place), so the pruner only ever sees complete entries or temp
 * files, and temp files with a live writer are never removed.
 */
import { realpath, unlink } from 'node:fs/promises';
import { dirname, relative, isAbsolute } from 'node:path';
import {
  readCacheInventory,
  summarizeCache,
  type CacheFile,
  type CacheKind,
  type CacheSummary,
} from './inventory.js';

export interface PruneOptions {
  /** Evict until the caches hold at most this many bytes. */
  maxBytes: number;
  /** Only report what would go. */
  dryRun?: boolean;
  now?: number;
}

export interface RemovedFile {
  kind: CacheKind;
  path: string;
  size: number;
  lastUse: string;
}

export interface PruneReport {
  maxBytes: number;
  dryRun: boolean;
  before: CacheSummary;
  /** Removed (or, on a dry run, to be removed), in eviction order. */
  removed: RemovedFile[];
  freedBytes: number;
  afterBytes: number;
  /** Files that could not be removed (read-only disk, outside the cache, ...). */
  failed: { path: string; reason: string }[];
}

/** Stale temps first (garbage in any case), then entries from the least recently used. */
function evictionOrder(files: readonly CacheFile[]): CacheFile[] {
  const byAge = (a: CacheFile, b: CacheFile) => a.lastUseMs - b.lastUseMs || a.path.localeCompare(b.path);
  const staleTemps = files.filter((f) => f.role === 'temp' && f.stale).sort(byAge);
  const entries = files.filter((f) => f.role === 'entry').sort(byAge);
  return [...staleTemps, ...entries];
}

/**
 * Unlinks `file` only if its folder still resolves to the real folder the walk found it in,
 * inside the cache root: a folder swapped for a symbolic link since the walk is refused.
 */
async function removeInside(root: string, file: CacheFile): Promise<string | undefined> {
  const dir = await realpath(dirname(file.path)).catch(() => undefined);
  const rel = dir === undefined ? '..' : relative(root, dir);
  if (dir !== file.dir || rel.startsWith('..') || isAbsolute(rel)) return 'not inside the cache directory';
  try {
    await unlink(file.path);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Already gone: another prune (or a reader's size check) removed it; the space is freed.
    return code === 'ENOENT' ? undefined : (code ?? String(err));
  }
}

/** Evicts least-recently-used cache files under `cacheDir` until at most `maxBytes` remain. */
export async function pruneCache(cacheDir: string, options: PruneOptions): Promise<PruneReport> {
  const now = options.now ?? Date.now();
  const inventory = await readCacheInventory(cacheDir, now);
  const before = summarizeCache(inventory.files);
  const report: PruneReport = {
    maxBytes: options.maxBytes,
    dryRun: Boolean(options.dryRun),
    before,
    removed: [],
    freedBytes: 0,
    afterBytes: before.totalBytes,
    failed: [],
  };
  const root = inventory.root;
  if (root === undefined) return report;
  for (const file of evictionOrder(inventory.files)) {
    if (report.afterBytes <= options.maxBytes) break;
    const failure = options.dryRun ? undefined : await removeInside(root, file);
    if (failure !== undefined) {
      report.failed.push({ path: file.path, reason: failure });
      continue;
    }
    report.removed.push({
      kind: file.kind,
      path: file.path,
      size: file.size,
      lastUse: new Date(file.lastUseMs).toISOString(),
    });
    report.freedBytes += file.size;
    report.afterBytes -= file.size;
  }
  return report;
}
