/**
 * "Last use" is real: reading a blob, a layer entry or a result entry through the caches'
 * own read paths moves its mtime to now, and an entry pruned while a reader holds it is still
 * read whole (the reader holds a descriptor; the prune only unlinks the name).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskLayerCache } from '../catalog/layer-cache.js';
import { blobCachePath, openCachedFile } from '../image/backends/registry/blob-cache.js';
import { pruneCache } from './prune.js';
import { sbomDocument } from '../sbom/test-support/sbom-document.js';
import { findFiles, setLastUse } from './test-support/disk.js';

const LONG_AGO = Date.UTC(2001, 0, 1);
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'pc-cache-last-use-'));
});
afterAll(async () => rm(cacheDir, { recursive: true, force: true }));

async function plantBlob(content: string): Promise<{ path: string; digest: string; size: number }> {
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  const path = blobCachePath(cacheDir, digest);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  await setLastUse(path, LONG_AGO);
  return { path, digest, size: Buffer.byteLength(content) };
}

const document = sbomDocument();

describe('reads refresh the last use', () => {
  it('opening a cached blob moves its mtime to now', async () => {
    const blob = await plantBlob('a blob read by a scan');
    const before = Date.now();
    const stream = await openCachedFile(blob.path, {
      mediaType: 'application/octet-stream',
      digest: blob.digest,
      size: blob.size,
    });
    expect(await text(stream!)).toBe('a blob read by a scan');
    expect((await stat(blob.path)).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
  });

  it('reading a layer entry and a result entry moves their mtimes to now', async () => {
    const cache = new DiskLayerCache(cacheDir);
    await cache.putResult('image-key', {
      document,
      retrieved: new Map([['/etc/os-release', Buffer.from('x')]]),
    });
    await cache.put('sha256:diff', 'analysis-key', {
      index: { records: [], whiteouts: [], opaques: [], markers: [], problems: [] },
      analysis: {
        diffId: 'sha256:diff',
        captured: new Map(),
        digests: new Map(),
        secrets: [],
        contentMatches: [],
      },
    });
    const written = [...findFiles(join(cacheDir, 'layers')), ...findFiles(join(cacheDir, 'results'))];
    expect(written).toHaveLength(2);
    for (const f of written) await setLastUse(f.path, LONG_AGO);

    const before = Date.now();
    expect(await cache.getResult('image-key')).toBeDefined();
    expect(await cache.get('sha256:diff', 'analysis-key')).toBeDefined();
    for (const f of written) expect((await stat(f.path)).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
  });

  it('a miss touches nothing', async () => {
    const cache = new DiskLayerCache(cacheDir);
    const files = findFiles(cacheDir);
    for (const f of files) await setLastUse(f.path, LONG_AGO);
    expect(await cache.getResult('never-written')).toBeUndefined();
    expect(await cache.get('sha256:other', 'analysis-key')).toBeUndefined();
    expect(findFiles(cacheDir).map((f) => f.mtimeMs)).toEqual(files.map(() => LONG_AGO));
  });
});

describe('pruning under a reader', () => {
  it('a blob opened before a prune is still read whole after the prune unlinked it', async () => {
    const content = 'layer bytes '.repeat(50_000);
    const blob = await plantBlob(content);
    const stream = await openCachedFile(blob.path, {
      mediaType: 'application/octet-stream',
      digest: blob.digest,
      size: blob.size,
    });
    const report = await pruneCache(cacheDir, { maxBytes: 0 });
    expect(report.removed.map((r) => r.path)).toContain(blob.path);
    expect(findFiles(cacheDir)).toEqual([]);
    expect(await text(stream!)).toBe(content);
  });

  it('a blob pruned before it is opened is a miss, not an error', async () => {
    const blob = await plantBlob('pruned first');
    await pruneCache(cacheDir, { maxBytes: 0 });
    const descriptor = { mediaType: 'application/octet-stream', digest: blob.digest, size: blob.size };
    expect(await openCachedFile(blob.path, descriptor)).toBeUndefined();
  });
});
