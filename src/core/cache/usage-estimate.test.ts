/**
 * The under-limit estimate: equal to what find adds up, re-reading only folders whose mtime
 * moved (proved by growing a file in place, which moves no folder mtime, and seeing the old
 * total), distrusting folders summed right after they changed, and never following links.
 */
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estimateCacheBytes, USAGE_FILE } from './usage-estimate.js';
import { findFiles, totalSize } from './test-support/disk.js';

const HEX = (c: string) => c.repeat(64);
let root: string;
let cacheDir: string;

const findTotal = () =>
  ['blobs', 'layers', 'results'].reduce((s, k) => s + totalSize(findFiles(join(cacheDir, k))), 0);

async function plant(relativePath: string, bytes: number): Promise<string> {
  const path = join(cacheDir, relativePath);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, Buffer.alloc(bytes, 1));
  return path;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-usage-estimate-'));
  cacheDir = join(root, 'cache');
  await plant(`blobs/sha256/${HEX('a')}`, 1000);
  await plant(`layers/bb/${HEX('b')}.bin`, 2000);
  await plant(`layers/cc/${HEX('c')}.bin`, 3000);
  await plant(`results/dd/${HEX('d')}.bin`, 4000);
  await plant('db/base/1/PG_VERSION', 17); // the database: never counted
});
afterEach(async () => rm(root, { recursive: true, force: true }));

/** Far enough after the folders changed that their records are trusted. */
const later = (s: number) => Date.now() + s * 1000;

describe('estimateCacheBytes', () => {
  it('equals the bytes find sees in the cache folders, and is 0 for a missing cache', async () => {
    expect(await estimateCacheBytes(cacheDir)).toBe(10_000);
    expect(findTotal()).toBe(10_000);
    expect(await estimateCacheBytes(join(root, 'absent'))).toBe(0);
  });

  it('re-reads only folders whose mtime moved since a settled record', async () => {
    expect(await estimateCacheBytes(cacheDir, later(10))).toBe(10_000);
    // Growing a file in place moves no folder mtime: a trusted record keeps the old total.
    await appendFile(join(cacheDir, 'layers', 'bb', `${HEX('b')}.bin`), Buffer.alloc(500));
    expect(await estimateCacheBytes(cacheDir, later(20))).toBe(10_000);
    // A new entry in that folder moves its mtime: the folder is summed again, growth included.
    await plant(`layers/bb/${HEX('e')}.bin`, 100);
    expect(await estimateCacheBytes(cacheDir, later(30))).toBe(findTotal());
    expect(findTotal()).toBe(10_600);
  });

  it('does not trust a folder summed right after it changed', async () => {
    expect(await estimateCacheBytes(cacheDir)).toBe(10_000); // summed "now": within the settle time
    await appendFile(join(cacheDir, 'results', 'dd', `${HEX('d')}.bin`), Buffer.alloc(250));
    expect(await estimateCacheBytes(cacheDir, later(10))).toBe(10_250);
  });

  it('survives a damaged record and does not follow symbolic links out of the cache', async () => {
    await writeFile(join(cacheDir, USAGE_FILE), '{"layers/bb": {"mtimeMs": "x"');
    const outside = join(root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, `${HEX('f')}.bin`), Buffer.alloc(9999));
    await symlink(outside, join(cacheDir, 'layers', 'ff'));
    await symlink(join(outside, `${HEX('f')}.bin`), join(cacheDir, 'layers', 'cc', `${HEX('f')}.bin`));
    expect(await estimateCacheBytes(cacheDir)).toBe(10_000);
    expect(findTotal()).toBe(10_000);
  });
});
