/**
 * Tiny hand-made images for bad-input tests: real tar/gzip bytes written by GNU tar and gzip,
 * blobs named by their real sha256, so only the damage a test adds is wrong.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function blob(mediaType: string, bytes: Buffer | string | object): Blob {
  const buf = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(typeof bytes === 'string' ? bytes : JSON.stringify(bytes));
  return { mediaType, digest: sha256(buf), size: buf.length, bytes: buf };
}

export function descriptor(b: Blob, extra: Record<string, unknown> = {}) {
  return { mediaType: b.mediaType, digest: b.digest, size: b.size, ...extra };
}

/** A layer tar of `files` made by GNU tar (deterministic), optionally gzipped by gzip -n. */
export async function layerTar(work: string, files: Record<string, string>, gzip: boolean): Promise<Buffer> {
  const dir = await mkdtemp(join(work, 'layer-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  const tar = execFileSync('tar', [
    '--sort=name',
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    '--mtime=@0',
    '-C',
    dir,
    '-cf',
    '-',
    ...Object.keys(files)
      .map((n) => n.split('/')[0] as string)
      .filter((v, i, a) => a.indexOf(v) === i),
  ]);
  return gzip ? execFileSync('gzip', ['-n', '-c'], { input: tar }) : tar;
}

export interface MiniImage {
  manifest: Blob;
  config: Blob;
  layer: Blob;
  diffId: string;
  blobs: Blob[];
}

/** One image with one layer holding `files`. */
export async function miniImage(
  work: string,
  files: Record<string, string> = { 'etc/hello': 'hello\n' },
  platform = { os: 'linux', architecture: 'amd64' },
): Promise<MiniImage> {
  const tar = await layerTar(work, files, false);
  const layer = blob(OCI_LAYER_GZIP, await layerTar(work, files, true));
  const diffId = sha256(tar);
  const config = blob(OCI_CONFIG, {
    ...platform,
    config: { User: 'nobody' },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created_by: 'test' }],
  });
  const manifest = blob(OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config),
    layers: [descriptor(layer)],
  });
  return { manifest, config, layer, diffId, blobs: [manifest, config, layer] };
}

/** Writes an OCI layout: `oci-layout`, blobs, and `index.json` (object or raw text). */
export async function writeLayout(
  dir: string,
  blobs: readonly Blob[],
  index: object | string,
): Promise<string> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of blobs) await writeFile(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  await writeFile(join(dir, 'index.json'), typeof index === 'string' ? index : JSON.stringify(index));
  return dir;
}

export function tagged(b: Blob, tag: string, extra: Record<string, unknown> = {}) {
  return descriptor(b, { annotations: { 'org.opencontainers.image.ref.name': tag }, ...extra });
}

/** `tar -cf` of a directory's contents (members without a `./` prefix). */
export function tarDirectory(dir: string, file: string): void {
  execFileSync('sh', ['-c', 'cd "$1" && tar --sort=name -cf "$2" $(ls -A)', 'sh', dir, file]);
}
