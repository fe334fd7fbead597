import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFailure, testOpenOptions } from '../../archive/test-support/helpers.js';
import {
  descriptor,
  miniImage,
  tagged,
  tarDirectory,
  writeLayout,
  type MiniImage,
} from '../../archive/test-support/mini-layout.js';
import { openImage } from '../../open.js';
import { type TestImageOptions } from '../../test-support/image-options.js';

let work: string;
let options: TestImageOptions;
let image: MiniImage;
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-oci-archive-'));
  options = testOpenOptions(join(work, 'tmp'));
  execFileSync('mkdir', ['-p', options.request.tempDir]);
  image = await miniImage(work, { 'etc/hello': 'hello from an archive\n' });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** An OCI archive made by GNU tar from a hand-written layout. */
async function archive(
  index: object | string = { schemaVersion: 2, manifests: [tagged(image.manifest, 'v1')] },
) {
  const dir = await writeLayout(join(work, `layout-${n}`), image.blobs, index);
  const file = join(work, `archive-${n++}.tar`);
  tarDirectory(dir, file);
  return file;
}

describe('oci-archive back-end', () => {
  it('reads an image by tag and without one', async () => {
    const file = await archive();
    for (const source of [`oci-archive:${file}:v1`, `oci-archive:${file}`]) {
      const img = await openImage(source, options.env, options.request);
      expect(img.digest).toBe(image.manifest.digest);
      const [layer] = await img.layers();
      for await (const _ of await layer!.uncompressed());
      expect(layer?.diffId).toBe(image.diffId);
    }
  });

  it('reads a gzip-compressed archive through a spill in the private temp dir', async () => {
    const file = await archive();
    execFileSync('gzip', ['-n', file]);
    const img = await openImage(`oci-archive:${file}.gz`, options.env, options.request);
    expect(img.digest).toBe(image.manifest.digest);
    expect((await readdir(options.request.tempDir)).some((f) => f.endsWith('.tar'))).toBe(true);
  });

  it('refuses a truncated archive with CORRUPT_ARCHIVE', async () => {
    const file = await archive();
    await truncate(file, 1536 + 100);
    const err = await openFailure(`oci-archive:${file}`, options);
    expect(err.code).toBe('CORRUPT_ARCHIVE');
    expect(err.message).toContain(file);
  });

  it('refuses a corrupt gzip archive with CORRUPT_ARCHIVE', async () => {
    const file = join(work, 'corrupt.tar.gz');
    const gz = execFileSync('gzip', ['-n', '-c'], { input: Buffer.alloc(100_000, 1) });
    gz.fill(0x55, 20, 60);
    await writeFile(file, gz);
    const err = await openFailure(`oci-archive:${file}`, options);
    expect(err.code).toBe('CORRUPT_ARCHIVE');
  });

  it('refuses an archive without index.json, naming it', async () => {
    const dir = await writeLayout(join(work, `layout-${n}`), image.blobs, '{}');
    await rm(join(dir, 'index.json'));
    const file = join(work, `archive-${n++}.tar`);
    tarDirectory(dir, file);
    const err = await openFailure(`oci-archive:${file}`, options);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('index.json');
  });

  it('lists the tags when the tag does not exist', async () => {
    const err = await openFailure(`oci-archive:${await archive()}:nope`, options);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('available tags: v1');
  });

  it('refuses a layer blob whose digest does not match, naming image and layer', async () => {
    const dir = await writeLayout(join(work, `layout-${n}`), image.blobs, {
      schemaVersion: 2,
      manifests: [descriptor(image.manifest)],
    });
    const bytes = Buffer.from(image.layer.bytes);
    bytes[20] = (bytes[20] ?? 0) ^ 0xff;
    await writeFile(join(dir, 'blobs/sha256', image.layer.digest.slice(7)), bytes);
    const file = join(work, `archive-${n++}.tar`);
    tarDirectory(dir, file);
    const img = await openImage(`oci-archive:${file}`, options.env, options.request);
    const [layer] = await img.layers();
    const err = await (async () => {
      for await (const _ of await layer!.compressed());
    })().catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`oci-archive:${file} layer 0 (${image.layer.digest})`);
    expect((err as { code?: string }).code).toBe('DIGEST_MISMATCH');
  });

  it('reports a file that does not exist as NOT_FOUND', async () => {
    const err = await openFailure(`oci-archive:${join(work, 'missing.tar')}`, options);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('missing.tar');
  });
});
