/**
 * Builds small test images in memory: tar layers written with tar-stream, compressed with
 * zlib or the `zstd` command-line tool, wrapped in an OCI manifest and opened through the
 * real `imageFromManifest`, so tests exercise digest checks and decompression for real.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { digestOf } from '../../image/digest.js';
import { MEDIA } from '../../image/media-types.js';
import { DEFAULT_LIMITS, type ImageLimits } from '../../image/options.js';
import { imageFromManifest } from '../../image/partial.js';
import type { Image } from '../../image/types.js';

export interface TestEntry {
  name: string;
  type?: Header['type'];
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
}

export const file = (name: string, content: string | Buffer = '', mode = 0o644): TestEntry => ({
  name,
  content,
  mode,
});
export const dir = (name: string, mode = 0o755): TestEntry => ({ name, type: 'directory', mode });
export const symlink = (name: string, linkname: string): TestEntry => ({
  name,
  type: 'symlink',
  linkname,
  mode: 0o777,
});
export const hardlink = (name: string, linkname: string): TestEntry => ({ name, type: 'link', linkname });

export async function tarOf(entries: readonly TestEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const e of entries) {
    const content = e.content === undefined ? undefined : Buffer.from(e.content);
    const header = {
      name: e.name,
      type: e.type ?? 'file',
      mode: e.mode ?? 0o644,
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? new Date(1_700_000_000_000),
      ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
      ...(e.devmajor === undefined ? {} : { devmajor: e.devmajor, devminor: e.devminor ?? 0 }),
    };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content !== undefined && header.type === 'file')
        p.entry({ ...header, size: content.length }, content, cb);
      else p.entry({ ...header, size: 0 }, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export type TestCompression = 'gzip' | 'zstd' | 'none';

export function compress(tar: Buffer, compression: TestCompression): Buffer {
  if (compression === 'gzip') return gzipSync(tar);
  if (compression === 'zstd')
    return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
  return tar;
}

const LAYER_MEDIA: Readonly<Record<TestCompression, string>> = {
  gzip: MEDIA.ociLayerGzip,
  zstd: MEDIA.ociLayerZstd,
  none: MEDIA.ociLayer,
};

/** A layer: either a tar to compress, or a prepared blob (in memory or in a file) with its digests. */
export type TestLayer =
  | { tar: Buffer; compression?: TestCompression; diffId?: string }
  | { blobFile: string; digest: string; size: number; diffId: string; compression: TestCompression }
  | { blob: Buffer; compression: TestCompression; diffId: string; digest?: string };

export interface TestImageOptions {
  source?: string;
  limits?: Partial<ImageLimits>;
}

export function imageOf(layers: readonly TestLayer[], options: TestImageOptions = {}): Image {
  const blobs = new Map<string, Buffer | string>();
  const descriptors = layers.map((layer) => {
    if ('blobFile' in layer) {
      blobs.set(layer.digest, layer.blobFile);
      return {
        mediaType: LAYER_MEDIA[layer.compression],
        digest: layer.digest,
        size: layer.size,
        diffId: layer.diffId,
      };
    }
    if ('blob' in layer) {
      const digest = layer.digest ?? digestOf(layer.blob);
      blobs.set(digest, layer.blob);
      return {
        mediaType: LAYER_MEDIA[layer.compression],
        digest,
        size: layer.blob.length,
        diffId: layer.diffId,
      };
    }
    const compression = layer.compression ?? 'gzip';
    const blob = compress(layer.tar, compression);
    const digest = digestOf(blob);
    blobs.set(digest, blob);
    return {
      mediaType: LAYER_MEDIA[compression],
      digest,
      size: blob.length,
      diffId: layer.diffId ?? digestOf(layer.tar),
    };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: descriptors.map((d) => d.diffId) },
      history: [],
    }),
  );
  const configDigest = digestOf(config);
  blobs.set(configDigest, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: config.length },
      layers: descriptors.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    }),
  );
  return imageFromManifest({
    source: options.source ?? 'test:image',
    rawManifest: manifest,
    openBlob: async (d) => {
      const blob = blobs.get(d.digest);
      if (blob === undefined) throw new Error(`test image has no blob ${d.digest}`);
      return typeof blob === 'string' ? createReadStream(blob) : Readable.from(chunked(blob));
    },
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
}

/** Image from layers given as entry lists (gzip unless said otherwise). */
export async function imageFromEntries(
  layers: readonly (readonly TestEntry[])[],
  compression: TestCompression = 'gzip',
  options: TestImageOptions = {},
): Promise<Image> {
  const tars = await Promise.all(layers.map((l) => tarOf(l)));
  return imageOf(
    tars.map((tar) => ({ tar, compression })),
    options,
  );
}

/** Serves in-memory blobs in 64 KiB chunks, as a file or a socket would. */
function* chunked(blob: Buffer): Generator<Buffer> {
  for (let i = 0; i < blob.length; i += 64 * 1024) yield blob.subarray(i, i + 64 * 1024);
}
