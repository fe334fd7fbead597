import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFailure, testOpenOptions } from '../../archive/test-support/helpers.js';
import { OCI_CONFIG, blob, layerTar, sha256, tarDirectory } from '../../archive/test-support/mini-layout.js';
import { openImage } from '../../open.js';
import { type TestImageOptions } from '../../test-support/image-options.js';

let work: string;
let options: TestImageOptions;
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-docker-archive-'));
  options = testOpenOptions(work);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface SavedImage {
  tags: string[];
  files: Record<string, string>;
  /** Store the layer gzip-compressed (as some tools do) instead of docker's plain tar. */
  gzip?: boolean;
  /** Docker ≥ 25 layout: blobs/sha256/<hex> instead of <id>/layer.tar. */
  ociStyle?: boolean;
}

/** A `docker save`-shaped archive written by hand and packed by GNU tar. */
async function saveArchive(images: SavedImage[], edit?: (dir: string) => Promise<void>) {
  const dir = join(work, `save-${n}`);
  await mkdir(dir, { recursive: true });
  const manifest = [];
  const expected = [];
  for (const [i, img] of images.entries()) {
    const tar = await layerTar(work, img.files, false);
    const stored = img.gzip ? await layerTar(work, img.files, true) : tar;
    const diffId = sha256(tar);
    const config = blob(OCI_CONFIG, {
      architecture: 'amd64',
      os: 'linux',
      config: { Env: [`IMAGE=${i}`] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
    });
    const layerPath = img.ociStyle ? `blobs/sha256/${sha256(stored).slice(7)}` : `layer${i}/layer.tar`;
    const configPath = img.ociStyle
      ? `blobs/sha256/${config.digest.slice(7)}`
      : `${config.digest.slice(7)}.json`;
    await mkdir(join(dir, layerPath, '..'), { recursive: true });
    await writeFile(join(dir, layerPath), stored);
    await writeFile(join(dir, configPath), config.bytes);
    manifest.push({ Config: configPath, RepoTags: img.tags, Layers: [layerPath] });
    expected.push({ diffId, layerDigest: sha256(stored), configDigest: config.digest });
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  if (edit) await edit(dir);
  const file = join(work, `save-${n++}.tar`);
  tarDirectory(dir, file);
  return { file, expected };
}

async function readLayers(source: string) {
  const image = await openImage(source, options.env, options.request);
  const layers = await image.layers();
  for (const layer of layers) for await (const _ of await layer.uncompressed());
  return { image, layers };
}

describe('docker-archive back-end', () => {
  it('reads a legacy archive; an uncompressed layer has digest = diffID', async () => {
    const { file, expected } = await saveArchive([{ tags: ['app:1'], files: { 'etc/a': 'a\n' } }]);
    const { image, layers } = await readLayers(`docker-archive:${file}`);
    expect(layers.map((l) => [l.digest, l.diffId, l.compression])).toEqual([
      [expected[0]?.diffId, expected[0]?.diffId, 'none'],
    ]);
    expect(image.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(
      await openImage(`docker-archive:${file}`, options.env, options.request).then((i) => i.digest),
    ).toBe(image.digest);
  });

  it('sniffs gzip-compressed layer files and uses the file digest', async () => {
    const { file, expected } = await saveArchive([
      { tags: ['app:1'], files: { 'etc/a': 'a\n' }, gzip: true },
    ]);
    const { layers } = await readLayers(`docker-archive:${file}`);
    expect(layers[0]?.compression).toBe('gzip');
    expect(layers[0]?.digest).toBe(expected[0]?.layerDigest);
    expect(layers[0]?.diffId).toBe(expected[0]?.diffId);
  });

  it('reads the OCI-style blobs/ layout of newer docker save', async () => {
    const { file, expected } = await saveArchive([
      { tags: ['app:1'], files: { 'etc/a': 'a\n' }, ociStyle: true },
    ]);
    const { image } = await readLayers(`docker-archive:${file}`);
    expect((await image.config()).rootfs.diff_ids).toEqual([expected[0]?.diffId]);
  });

  it('selects an image by repo:tag, and lists tags when none or a wrong one is given', async () => {
    const { file, expected } = await saveArchive([
      { tags: ['one:1'], files: { 'etc/one': '1\n' } },
      { tags: ['two:2', 'docker.io/library/two:latest'], files: { 'etc/two': '2\n' } },
    ]);
    const two = await openImage(`docker-archive:${file}:two:2`, options.env, options.request);
    expect((await two.config()).rootfs.diff_ids).toEqual([expected[1]?.diffId]);
    const latest = await openImage(`docker-archive:${file}:two`, options.env, options.request);
    expect((await latest.config()).rootfs.diff_ids).toEqual([expected[1]?.diffId]);
    const ambiguous = await openFailure(`docker-archive:${file}`, options);
    expect(ambiguous.code).toBe('INVALID_ARGUMENT');
    expect(ambiguous.message).toContain('one:1, two:2');
    const wrong = await openFailure(`docker-archive:${file}:three:3`, options);
    expect(wrong.code).toBe('NOT_FOUND');
    expect(wrong.message).toContain('one:1, two:2');
  });

  it('refuses an archive without manifest.json', async () => {
    const { file } = await saveArchive([{ tags: ['a:1'], files: { a: 'a' } }], (dir) =>
      rm(join(dir, 'manifest.json')),
    );
    const err = await openFailure(`docker-archive:${file}`, options);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('manifest.json');
  });

  it('refuses a manifest.json that is not JSON or not a docker save manifest', async () => {
    const { file } = await saveArchive([{ tags: ['a:1'], files: { a: 'a' } }], (dir) =>
      writeFile(join(dir, 'manifest.json'), '[{"Config": '),
    );
    expect((await openFailure(`docker-archive:${file}`, options)).message).toMatch(
      /manifest.json is not valid JSON/,
    );
    const shaped = await saveArchive([{ tags: ['a:1'], files: { a: 'a' } }], (dir) =>
      writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'x.json', Layers: 'nope' }])),
    );
    const err = await openFailure(`docker-archive:${shaped.file}`, options);
    expect(err.code).toBe('MANIFEST_INVALID');
    expect(err.message).toContain('Layers');
  });

  it('fails with DIGEST_MISMATCH naming image and layer when a layer file was altered', async () => {
    const { file } = await saveArchive([{ tags: ['a:1'], files: { 'etc/a': 'original content\n' } }], (dir) =>
      layerTar(work, { 'etc/a': 'tampered content\n' }, false).then((tar) =>
        writeFile(join(dir, 'layer0/layer.tar'), tar),
      ),
    );
    const err = await openFailure(`docker-archive:${file}`, options);
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.message).toMatch(new RegExp(`docker-archive:${file} layer 0 \\(sha256:[a-f0-9]{64}\\)`));
  });

  it('refuses a truncated archive and a missing file', async () => {
    const { file } = await saveArchive([{ tags: ['a:1'], files: { 'etc/a': 'x'.repeat(5000) } }]);
    await truncate(file, 2048 + 700);
    expect((await openFailure(`docker-archive:${file}`, options)).code).toBe('CORRUPT_ARCHIVE');
    const missing = await openFailure(`docker-archive:${join(work, 'nope.tar')}`, options);
    expect(missing.code).toBe('NOT_FOUND');
  });
});
