/** Hostile and broken layers: each gives a precise error or a recorded problem, never a crash. */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ImageLimits } from '../image/options.js';
import { digestOf } from '../image/digest.js';
import type { Image } from '../image/types.js';
import { LayeredFilesystem } from './layered-filesystem.js';
import { dir, file, imageOf, tarOf } from './test-support/build-image.js';
import { fsOf } from './test-support/fs-for.js';

const temps: string[] = [];
async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'pc-fs-bad-'));
  temps.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function open(image: Image, limits: Partial<ImageLimits> = {}): Promise<LayeredFilesystem> {
  return LayeredFilesystem.fromImage(image, {
    limits: { ...DEFAULT_LIMITS, ...limits },
    tempDir: await temp(),
  });
}

async function failure(
  p: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

describe('hostile paths', () => {
  it('skips entries climbing out of the root, records them, and keeps the rest', async () => {
    const fs = await fsOf([
      [
        file('../evil', 'x'),
        file('a/../../b', 'x'),
        file('ok/../../../../etc/passwd', 'x'),
        file('/abs/file', 'absolute names are relative to the image root'),
        file('./x/./y//z', 'z'),
        file('a/../inside', 'collapses'),
        file('.wh..', 'whiteout naming the parent'),
      ],
    ]);
    expect(fs.problems.map((p) => [p.code, p.path])).toEqual([
      ['UNSAFE_PATH', '../evil'],
      ['UNSAFE_PATH', 'a/../../b'],
      ['UNSAFE_PATH', 'ok/../../../../etc/passwd'],
      ['UNSAFE_PATH', '.wh..'],
    ]);
    expect(fs.entries().map((e) => e.path)).toEqual(['/abs', '/abs/file', '/inside', '/x', '/x/y', '/x/y/z']);
    expect((await fs.readFile('/inside')).toString()).toBe('collapses');
  });
});

describe('broken layers', () => {
  it('reports a truncated tar as CORRUPT_LAYER naming image, layer, digest and path', async () => {
    const tar = await tarOf([dir('etc/'), file('etc/big', Buffer.alloc(100_000, 7))]);
    const truncated = tar.subarray(0, 50_000);
    const image = imageOf([
      { tar: await tarOf([file('ok')]) },
      { blob: truncated, compression: 'none', diffId: digestOf(truncated) },
    ]);
    const err = await failure(open(image));
    expect(err.code).toBe('CORRUPT_LAYER');
    expect(err.message).toContain('test:image layer 1 (sha256:');
    expect(err.message).toContain(digestOf(truncated));
    expect(err.message).toContain('"etc/big"');
    expect(err.details).toMatchObject({ layer: 1, path: 'etc/big' });
  });

  it('reports a truncated gzip stream as CORRUPT_LAYER', async () => {
    const tar = await tarOf([file('a', Buffer.alloc(300_000, 1)), file('b', 'b')]);
    const gz = gzipSync(tar);
    const cut = gz.subarray(0, gz.length - 100);
    const err = await failure(open(imageOf([{ blob: cut, compression: 'gzip', diffId: digestOf(tar) }])));
    expect(err.code).toBe('CORRUPT_LAYER');
    expect(err.message).toContain('test:image layer 0');
    expect(err.message).toMatch(/gzip data is corrupt/);
  });

  it('reports corrupt gzip data as CORRUPT_LAYER naming the entry being read', async () => {
    const tar = await tarOf([file('first', 'f'), file('second', randomBytes(1024 * 1024))]);
    const gz = Buffer.from(gzipSync(tar));
    for (let i = Math.floor(gz.length / 2); i < gz.length / 2 + 64; i++) gz[i] = (gz[i] ?? 0) ^ 0xff;
    const err = await failure(open(imageOf([{ blob: gz, compression: 'gzip', diffId: digestOf(tar) }])));
    expect(err.code).toBe('CORRUPT_LAYER');
    expect(err.message).toContain('test:image layer 0 (sha256:');
    expect(err.message).toContain('"second"');
  });

  it('reports a blob whose digest does not match as DIGEST_MISMATCH naming the layer', async () => {
    const tar = await tarOf([file('a', 'a')]);
    const wrong = digestOf('something else');
    const err = await failure(
      open(imageOf([{ blob: gzipSync(tar), compression: 'gzip', diffId: digestOf(tar), digest: wrong }])),
    );
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.message).toContain(`test:image layer 0 (${wrong})`);
  });

  it('reports an uncompressed tar that does not match its diffID as DIGEST_MISMATCH', async () => {
    const tar = await tarOf([file('a', 'a')]);
    const err = await failure(open(imageOf([{ tar, compression: 'gzip', diffId: digestOf('not the tar') }])));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.message).toContain('(uncompressed)');
  });

  it('stops at the entries-per-layer limit with SIZE_LIMIT', async () => {
    const image = imageOf([{ tar: await tarOf([file('a'), file('b'), file('c'), file('d')]) }]);
    const err = await failure(open(image, { maxEntriesPerLayer: 3 }));
    expect(err.code).toBe('SIZE_LIMIT');
    expect(err.message).toContain('3-entry limit');
    expect(err.message).toContain('test:image layer 0');
  });
});

describe('a layer that changes between reads', () => {
  it('fails the content read with CORRUPT_LAYER instead of handing over other bytes', async () => {
    const image = imageOf([{ tar: await tarOf([file('a', 'original'), file('b', 'b')]) }]);
    const swapped = gzipSync(await tarOf([file('x', 'attacker'), file('a', 'attacker')]));
    // The index pass reads the real blob; every later open of the blob gets other bytes.
    const tampered: Image = {
      ...image,
      layers: async () =>
        (await image.layers()).map((layer) => ({
          ...layer,
          compressed: async () => Readable.from([swapped]),
        })),
    };
    const fs = await open(tampered);
    const err = await failure(fs.readFile('/a'));
    expect(err.code).toBe('CORRUPT_LAYER');
    expect(err.message).toMatch(/test:image layer 0 \(sha256:[0-9a-f]+\) changed since it was indexed/);
  });

  it('fails a content read when the layer ends before an indexed entry', async () => {
    const image = imageOf([{ tar: await tarOf([file('a', 'original'), file('b', 'b')]) }]);
    const shorter = gzipSync(await tarOf([file('a', 'original')]));
    const tampered: Image = {
      ...image,
      layers: async () =>
        (await image.layers()).map((layer) => ({
          ...layer,
          compressed: async () => Readable.from([shorter]),
        })),
    };
    const fs = await open(tampered);
    // The stand-in blob skips digest checks, so only the entry bookkeeping can notice.
    const err = await failure(fs.readFile('/b'));
    expect(err.code).toBe('CORRUPT_LAYER');
    expect(err.message).toMatch(/test:image layer 0 .* ended before 1 indexed entries/);
  });
});

describe('gzip bomb', () => {
  /**
   * 2 GiB of zeros behind one tar header, written as a multi-member gzip (one small member
   * per MiB: a valid gzip stream) straight to a file, so the test never holds it in memory.
   */
  async function writeBomb(): Promise<{ blobFile: string; digest: string; size: number }> {
    const blobFile = join(await temp(), 'bomb.tar.gz');
    const out = createWriteStream(blobFile);
    const hash = createHash('sha256');
    let size = 0;
    const write = async (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    };
    const header = (await tarOf([{ name: 'zeros', content: Buffer.alloc(0) }])).subarray(0, 512);
    // Patch the size field (octal, 11 digits) and the checksum for a 2 GiB entry.
    header.write('20000000000\0', 124, 'ascii');
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    await write(gzipSync(header));
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    for (let i = 0; i < 2048; i++) await write(member);
    out.end();
    await once(out, 'finish');
    return { blobFile, digest: `sha256:${hash.digest('hex')}`, size };
  }

  async function peakRssDuring(
    p: Promise<unknown>,
  ): Promise<{ err: Error & { code?: string }; growth: number }> {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const err = await failure(p);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { err, growth: peak - before };
  }

  it('is stopped by the compression-ratio guard with SIZE_LIMIT and bounded memory', async () => {
    const bomb = await writeBomb();
    expect((await stat(bomb.blobFile)).size).toBeLessThan(8 * 1024 * 1024);
    const image = imageOf([{ ...bomb, compression: 'gzip', diffId: digestOf('unused') }]);
    const { err, growth } = await peakRssDuring(open(image));
    expect(err.code).toBe('SIZE_LIMIT');
    expect(err.message).toMatch(/compression ratio above 200:1/);
    expect(err.message).toContain('"zeros"');
    expect(growth).toBeLessThan(256 * 1024 * 1024);
  });

  it('is stopped by the layer-size limit when the ratio guard is relaxed', async () => {
    const bomb = await writeBomb();
    const limits = { maxCompressionRatio: 1e9, maxLayerBytes: 256 * 1024 * 1024 };
    const image = imageOf([{ ...bomb, compression: 'gzip', diffId: digestOf('unused') }], { limits });
    const tempDir = await temp();
    const { err, growth } = await peakRssDuring(
      LayeredFilesystem.fromImage(image, { limits: { ...DEFAULT_LIMITS, ...limits }, tempDir }),
    );
    expect(err.code).toBe('SIZE_LIMIT');
    expect(err.message).toMatch(/exceeds the 268435456-byte limit/);
    expect(growth).toBeLessThan(256 * 1024 * 1024);
    expect(await readdir(tempDir)).toEqual([]);
  });
});
