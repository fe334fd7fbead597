/** `portcullis image files` through the real CLI entry, on small OCI layouts written here. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../core/image/digest.js';
import { MEDIA } from '../../core/image/media-types.js';
import { compress, dir, file, symlink, tarOf } from '../../core/fs/test-support/build-image.js';
import { runCli, type CliRun } from '../../../test/support/cli.js';

let root: string;
let source: string;

/** Writes a two-layer OCI image layout by hand (the format is plain JSON + blobs). */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-files-cli-'));
  const layout = join(root, 'oci');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const put = async (data: Buffer) => {
    const digest = digestOf(data);
    await writeFile(join(layout, 'blobs', 'sha256', digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const tars = [
    await tarOf([dir('bin/'), { name: 'bin/su', content: 'su', mode: 0o4755 }, file('etc-gone', 'x')]),
    await tarOf([symlink('sh', 'bin/su'), file('.wh.etc-gone')]),
  ];
  const layers = [];
  for (const tar of tars)
    layers.push({ mediaType: MEDIA.ociLayerGzip, ...(await put(compress(tar, 'gzip'))) });
  const config = await put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) },
        history: [],
      }),
    ),
  );
  const manifest = await put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: { mediaType: MEDIA.ociConfig, ...config },
        layers,
      }),
    ),
  );
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MEDIA.ociManifest,
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    }),
  );
  source = `oci-dir:${layout}:v1`;
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function run(args: string[]): Promise<CliRun> {
  return runCli(['--cache-dir', join(root, 'cache'), ...args]);
}

describe('portcullis image files', () => {
  it('prints the squashed tree as a table', async () => {
    const { code, out } = await run(['image', 'files', source, '--platform', 'linux/amd64']);
    expect(code).toBe(0);
    expect(out.split('\n').filter(Boolean)).toEqual([
      'MODE        UID:GID  SIZE  LAYER  PATH',
      'drwxr-xr-x  0:0      0     0      /bin',
      '-rwsr-xr-x  0:0      2     0      /bin/su',
      'lrwxrwxrwx  0:0      6     1      /sh -> bin/su',
    ]);
  });

  it('prints one layer with its whiteouts as JSON, filtered by a glob', async () => {
    const { code, out } = await run(['image', 'files', source, '--layer', '1', '/etc*', '-o', 'json']);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as {
      path: string;
      type: string;
      layer: { index: number; diffId: string };
    }[];
    expect(rows.map((r) => [r.path, r.type, r.layer.index])).toEqual([['/etc-gone', 'whiteout', 1]]);
    expect(rows[0]?.layer.diffId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    [['--layer', 'x'], /--layer must be a layer index/],
    [['--layer', '7'], /there is no layer 7/],
  ])('fails with exit code 1 for %j', async (flags, message) => {
    const { code, err } = await run(['image', 'files', source, ...flags]);
    expect(code).toBe(1);
    expect(err).toMatch(message);
  });
});
