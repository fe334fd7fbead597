/**
 * Regression: a 17 GiB sparse file inside a layer was streamed for 93 s before SIZE_LIMIT.
 * An entry whose tar header declares more than the layer may hold is refused at the header.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../image/options.js';
import { MEDIA } from '../image/media-types.js';
import type { Layer } from '../image/types.js';
import { LayeredFilesystem } from './layered-filesystem.js';
import { walkLayer } from './tar-walk.js';
import { file, imageFromEntries } from './test-support/build-image.js';

const SEVENTEEN_GIB = 17 * 1024 ** 3;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-fs-header-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** GNU tar's own stream of `names` under `dir`, counting the bytes anyone reads from it. */
function gnuTarStream(
  dir: string,
  names: string[],
): { stream: Readable; consumed: () => number; stop: () => void } {
  const tar = spawn('tar', ['--format=gnu', '-C', dir, '-cf', '-', ...names], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let consumed = 0;
  const counted = new PassThrough({ highWaterMark: 16 * 1024 });
  tar.stdout.on('data', (chunk: Buffer) => (consumed += chunk.length));
  tar.stdout.pipe(counted);
  return { stream: counted, consumed: () => consumed, stop: () => tar.kill() };
}

describe('entry sizes are checked at the tar header', () => {
  it('a 17 GiB sparse file written by GNU tar is refused before its body is read', async () => {
    execFileSync('truncate', ['-s', String(SEVENTEEN_GIB), join(work, 'huge.img')]);
    execFileSync('sh', ['-c', `echo small > "${join(work, 'a-small-file')}"`]);
    const tar = gnuTarStream(work, ['a-small-file', 'huge.img']);
    const layer: Layer = {
      digest: 'sha256:' + '0'.repeat(64),
      diffId: 'sha256:' + '0'.repeat(64),
      size: 0,
      mediaType: MEDIA.ociLayer,
      compression: 'none',
      compressed: async () => tar.stream,
      uncompressed: async () => tar.stream,
    };
    const seen: string[] = [];
    const walk = walkLayer(
      { image: 'test', index: 0, layer },
      DEFAULT_LIMITS,
      (header, body, _n, control) => {
        seen.push(`${header.name} ${header.size}`);
        body.on('end', control.next);
        body.resume();
      },
    );
    await expect(walk).rejects.toMatchObject({
      code: 'SIZE_LIMIT',
      details: { path: 'huge.img', size: SEVENTEEN_GIB, limit: DEFAULT_LIMITS.maxLayerBytes },
    });
    tar.stop();
    // the entry before it was handed over; the huge one never was, and at most a pipe's worth
    // of tar output (not gigabytes) was read
    expect(seen).toEqual(['a-small-file 6']);
    expect(tar.consumed()).toBeLessThan(1024 * 1024);
  });

  it('in an image, the header check fires before the decompression guard has counted the body', async () => {
    const image = await imageFromEntries(
      [[file('etc/ok', 'fine\n'), file('big.bin', Buffer.alloc(3 << 20))]],
      'none',
    );
    const limits = { ...DEFAULT_LIMITS, maxLayerBytes: 1 << 20 };
    const opened = LayeredFilesystem.fromImage(image, { limits, tempDir: work });
    await expect(opened).rejects.toMatchObject({
      code: 'SIZE_LIMIT',
      message: expect.stringMatching(
        /entry "big\.bin" declares 3145728 bytes, so the layer exceeds the 1048576-byte limit; refused before reading it/,
      ) as string,
    });
  });

  it('a layer within the limit is read as before', async () => {
    const image = await imageFromEntries([[file('big.bin', Buffer.alloc(3 << 20))]], 'none');
    const fs = await LayeredFilesystem.fromImage(image, { limits: DEFAULT_LIMITS, tempDir: work });
    expect(fs.stat('/big.bin')?.size).toBe(3 << 20);
  });
});
