/** Lazy contents: batch reads stream each needed layer once; caps, streams and spills. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { digestOf } from '../image/digest.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../image/options.js';
import { LayeredFilesystem } from './layered-filesystem.js';
import {
  dir,
  file,
  hardlink,
  imageFromEntries,
  imageOf,
  symlink,
  tarOf,
  type TestCompression,
} from './test-support/build-image.js';
import { countingImage } from './test-support/fs-for.js';

const LAYERS = [
  [dir('etc/'), file('etc/a.conf', 'a0'), file('etc/b.conf', 'b0'), file('etc/keep', 'keep'), dir('big/')],
  [file('etc/a.conf', 'a1'), file('unrelated', 'u')],
  [file('etc/b.conf', 'b2'), symlink('etc/link.conf', 'a.conf')],
];

async function open(compression: TestCompression = 'gzip', layers = LAYERS) {
  const { image, opens } = countingImage(await imageFromEntries(layers, compression));
  const tempDir = await mkdtemp(join(tmpdir(), 'pc-fs-read-'));
  const fs = await LayeredFilesystem.fromImage(image, { limits: DEFAULT_LIMITS, tempDir });
  opens.fill(0);
  return { fs, opens, tempDir };
}

async function text(content: Buffer | Readable): Promise<string> {
  if (Buffer.isBuffer(content)) return content.toString();
  const chunks: Buffer[] = [];
  for await (const c of content) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('readFiles', () => {
  it.each<TestCompression>(['gzip', 'zstd', 'none'])(
    'reads final versions from %s layers, each layer once',
    async (c) => {
      const { fs, opens } = await open(c);
      const got: Record<string, string> = {};
      await fs.readFiles('/etc/*.conf', async (e, content) => {
        got[e.path] = await text(content);
      });
      expect(got).toEqual({ '/etc/a.conf': 'a1', '/etc/b.conf': 'b2' });
      // Layer 0 holds nothing final that was asked for; layers 1 and 2 are read once each.
      expect(opens).toEqual([0, 1, 1]);
    },
  );

  it('selects by predicate and by path list (following symlinks)', async () => {
    const { fs } = await open();
    const byPredicate: string[] = [];
    await fs.readFiles(
      (e) => e.layer === 0,
      (e, content) => void byPredicate.push(`${e.path}=${String(content)}`),
    );
    expect(byPredicate).toEqual(['/etc/keep=keep']);
    const byPath: string[] = [];
    await fs.readFiles(
      ['/etc/link.conf', '/missing', '/etc'],
      (e, content) => void byPath.push(`${e.path}=${String(content)}`),
    );
    expect(byPath).toEqual(['/etc/a.conf=a1']);
  });

  it('skips files over the cap and reports them', async () => {
    const { fs } = await open('gzip', [[file('small', 'x'), file('large', Buffer.alloc(10_000, 1))]]);
    const read: string[] = [];
    const skipped: string[] = [];
    await fs.readFiles('/*', (e) => void read.push(e.path), {
      maxFileBytes: 1000,
      onSkip: (e, reason) => skipped.push(`${e.path}: ${reason}`),
    });
    expect(read).toEqual(['/small']);
    expect(skipped).toEqual(['/large: 10000 bytes is over the 1000-byte cap']);
    await expect(fs.readFile('/large', { maxBytes: 1000 })).rejects.toMatchObject({ code: 'SIZE_LIMIT' });
  });

  it('hands large files over as streams, spilling hard-linked ones to the temp dir and cleaning up', async () => {
    const big = Buffer.alloc(300_000, 'q');
    const { fs, tempDir } = await open('gzip', [
      [file('solo', big), file('shared', big), hardlink('shared-link', 'shared'), file('after', 'tail')],
    ]);
    const got: string[] = [];
    await fs.readFiles(
      '/*',
      async (e, content) => {
        expect(Buffer.isBuffer(content)).toBe(e.path === '/after');
        got.push(`${e.path}:${(await text(content)).length}`);
        expect(await readdir(tempDir)).toEqual(
          e.path === '/shared' || e.path === '/shared-link' ? [expect.stringMatching(/^spill-/)] : [],
        );
      },
      { streamAboveBytes: 100_000 },
    );
    expect(got.sort()).toEqual(['/after:4', '/shared-link:300000', '/shared:300000', '/solo:300000']);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('drains what a stream visitor leaves unread', async () => {
    const { fs } = await open('gzip', [[file('big', Buffer.alloc(500_000, 'z')), file('next', 'n')]]);
    const seen: string[] = [];
    await fs.readFiles('/*', (e) => void seen.push(e.path), { streamAboveBytes: 1000 });
    expect(seen).toEqual(['/big', '/next']);
  });

  it('propagates a visitor error unchanged', async () => {
    const { fs } = await open();
    const boom = new Error('visitor failed');
    await expect(
      fs.readFiles('/etc/*', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('toResolver', () => {
  it('reads files and globs absolute paths; absent or non-files read as undefined', async () => {
    const { fs } = await open();
    const resolver = fs.toResolver();
    expect((await resolver.read('/etc/link.conf'))?.toString()).toBe('a1');
    expect(await resolver.read('/nope')).toBeUndefined();
    expect(await resolver.read('/etc')).toBeUndefined();
    expect(await resolver.glob('/etc/*.conf')).toEqual(['/etc/a.conf', '/etc/b.conf', '/etc/link.conf']);
    expect(await fs.toResolver({ maxFileBytes: 1 }).read('/etc/a.conf')).toBeUndefined();
  });
});

describe('early stop', () => {
  it('closes the layer blob when a read stops before the end of the layer', async () => {
    const tempDir = await mkdtemp(join(tmpdir(), 'pc-fs-fd-'));
    const tar = await tarOf([file('first', 'f'), file('rest', randomBytes(2_000_000))]);
    const blob = gzipSync(tar);
    const blobFile = join(tempDir, 'layer.tar.gz');
    await writeFile(blobFile, blob);
    const image = imageOf([
      { blobFile, digest: digestOf(blob), size: blob.length, diffId: digestOf(tar), compression: 'gzip' },
    ]);
    const fs = await LayeredFilesystem.fromImage(image, { limits: DEFAULT_LIMITS, tempDir });
    const openFds = async () => (await readdir('/proc/self/fd')).length;
    await fs.readFile('/first');
    await new Promise((r) => setTimeout(r, 50));
    const before = await openFds();
    for (let i = 0; i < 40; i++) expect((await fs.readFile('/first')).toString()).toBe('f');
    await new Promise((r) => setTimeout(r, 50));
    expect(await openFds()).toBeLessThan(before + 5);
  });
});
