/** DiskLayerCache on a real temp directory: round trips, and damaged entries are misses, never errors. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sbomDocument } from '../sbom/test-support/sbom-document.js';
import { DiskLayerCache } from './layer-cache.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-layer-cache-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const document = sbomDocument();

async function onlyFile(sub: string): Promise<string> {
  const [prefix] = await readdir(join(dir, sub));
  const [name] = await readdir(join(dir, sub, prefix as string));
  return join(dir, sub, prefix as string, name as string);
}

describe('DiskLayerCache', () => {
  it('round-trips an image result with its retrieved files', async () => {
    const cache = new DiskLayerCache(dir);
    const retrieved = new Map([
      ['/etc/passwd', Buffer.from('root:x:0:0::/root:/bin/sh\n')],
      ['/etc/group', Buffer.from('root:x:0:\n')],
    ]);
    await cache.putResult('k1', { document, retrieved });
    const back = await cache.getResult('k1');
    expect(back?.document).toEqual(document);
    expect([...(back?.retrieved ?? [])].map(([p, b]) => [p, b.toString()])).toEqual(
      [...retrieved].map(([p, b]) => [p, b.toString()]),
    );
    expect(await cache.getResult('k2')).toBeUndefined();
  });

  it('treats a truncated result entry as a miss', async () => {
    const file = await onlyFile('results');
    const raw = await readFile(file);
    await writeFile(file, raw.subarray(0, raw.length - 3));
    expect(await new DiskLayerCache(dir).getResult('k1')).toBeUndefined();
    await writeFile(file, Buffer.from('garbage'));
    expect(await new DiskLayerCache(dir).getResult('k1')).toBeUndefined();
  });

  it('treats a damaged layer entry as a miss', async () => {
    const cache = new DiskLayerCache(dir);
    const diffId = `sha256:${'a'.repeat(64)}`;
    await cache.put(diffId, 'key', {
      index: { records: [], whiteouts: [], opaques: [], markers: [], problems: [] },
      analysis: {
        diffId,
        captured: new Map([['/a', Buffer.from('x')]]),
        digests: new Map(),
        secrets: [],
        contentMatches: [],
      },
    });
    expect((await cache.get(diffId, 'key'))?.analysis.captured.get('/a')?.toString()).toBe('x');
    const file = await onlyFile('layers');
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.from('pad')]));
    expect(await cache.get(diffId, 'key')).toBeUndefined();
  });
});
