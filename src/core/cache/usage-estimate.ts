/**
 * A cheap answer to "are the caches over the limit?", so that the prune after every analysis
 * does not lstat every entry. Cache files are immutable once renamed into place and every
 * add, rename or unlink changes the mtime of the folder holding it, so a folder whose mtime is
 * unchanged since we last summed it still holds the same bytes. We record per folder (the
 * `<2 hex>` shards and `blobs/<algorithm>`) its mtime and byte total in `cache-usage.json` at the
 * cache root, and re-read only folders whose mtime moved: a few hundred directory stats
 * instead of one stat per entry. The one thing it can miss is a blob temp file growing in place
 * (no folder change); that download ends with a rename, which the next estimate sees.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CACHE_KIND_DIRS } from './inventory.js';

export const USAGE_FILE = 'cache-usage.json';

/**
 * A folder changed within this long of being summed may change again within the same mtime
 * tick (coarse timestamps on some filesystems); such a record is not trusted next time.
 */
const SETTLE_MS = 2000;

interface FolderRecord {
  mtimeMs: number;
  bytes: number;
  summedAtMs: number;
}

type UsageRecord = Record<string, FolderRecord>;

async function readRecord(path: string): Promise<UsageRecord> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as UsageRecord) : {};
  } catch {
    return {}; // absent or damaged: everything is summed afresh
  }
}

async function sumFolder(dir: string): Promise<number> {
  const files = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const sizes = await Promise.all(
    files
      .filter((f) => f.isFile())
      .map((f) =>
        lstat(join(dir, f.name)).then(
          (info) => (info.isFile() ? info.size : 0),
          () => 0,
        ),
      ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

function isTrusted(known: FolderRecord | undefined, mtimeMs: number): known is FolderRecord {
  return (
    known !== undefined &&
    typeof known.bytes === 'number' &&
    known.mtimeMs === mtimeMs &&
    known.summedAtMs - mtimeMs >= SETTLE_MS
  );
}

/**
 * Bytes held by the blob and layer caches under `cacheDir`, as `summarizeCache` would count
 * them, re-reading only folders changed since the last estimate. Never fails: a cache that
 * cannot record its estimate (read-only) is simply summed again next time.
 */
export async function estimateCacheBytes(cacheDir: string, now: number = Date.now()): Promise<number> {
  const root = await realpath(cacheDir).catch(() => undefined);
  if (!root) return 0;
  const recordPath = join(root, USAGE_FILE);
  const known = await readRecord(recordPath);
  const next: UsageRecord = {};
  let total = 0;
  for (const kindDir of Object.values(CACHE_KIND_DIRS)) {
    const top = join(root, kindDir);
    const topInfo = await lstat(top).catch(() => undefined);
    if (!topInfo?.isDirectory()) continue; // as the inventory: a symbolic link is not followed
    const shards = (await readdir(top, { withFileTypes: true }).catch(() => [])).filter((d) =>
      d.isDirectory(),
    );
    const sums = await Promise.all(
      shards.map(async (shard) => {
        const key = `${kindDir}/${shard.name}`;
        const info = await lstat(join(top, shard.name)).catch(() => undefined);
        if (!info?.isDirectory()) return 0;
        const previous = known[key];
        const bytes = isTrusted(previous, info.mtimeMs)
          ? previous.bytes
          : await sumFolder(join(top, shard.name));
        next[key] = { mtimeMs: info.mtimeMs, bytes, summedAtMs: now };
        return bytes;
      }),
    );
    total += sums.reduce((a, b) => a + b, 0);
  }
  await saveRecord(recordPath, next);
  return total;
}

async function saveRecord(path: string, record: UsageRecord): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, path);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}
