/**
 * Small OCI image layouts built in-process (tar-stream + node:zlib), for pushing to the test
 * registry until the Debian fixture images exist: one image, or a multi-platform index.
 * Returns what was built (digests, file contents) so tests can compare against it.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface LayoutPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface LayoutImageSpec {
  platform: LayoutPlatform;
  /** One map of path → content per layer, bottom first. */
  layers: Array<Record<string, string>>;
}

export interface BuiltBlob {
  digest: string;
  size: number;
  bytes: Buffer;
}

export interface BuiltImage {
  platform: LayoutPlatform;
  manifest: BuiltBlob;
  config: BuiltBlob;
  /** Compressed layer blobs with their uncompressed tars. */
  layers: Array<BuiltBlob & { tar: Buffer; diffId: string }>;
}

export interface BuiltLayout {
  dir: string;
  tag: string;
  /** The top descriptor's digest: the index for several platforms, else the manifest. */
  digest: string;
  index: BuiltBlob | undefined;
  images: BuiltImage[];
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) {
    // Fixed mtime keeps the layer bytes (and so the digests) reproducible.
    p.entry({ name, mode: 0o644, mtime: new Date(0) }, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function buildOciLayout(
  dir: string,
  tag: string,
  specs: LayoutImageSpec[],
): Promise<BuiltLayout> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (bytes: Buffer): Promise<BuiltBlob> => {
    const digest = sha256(bytes);
    await writeFile(join(blobs, digest.slice(7)), bytes);
    return { digest, size: bytes.length, bytes };
  };
  const images: BuiltImage[] = [];
  for (const spec of specs) {
    const layers: BuiltImage['layers'] = [];
    for (const files of spec.layers) {
      const tar = await tarOf(files);
      layers.push({ ...(await put(gzipSync(tar))), tar, diffId: sha256(tar) });
    }
    const config = await put(
      Buffer.from(
        JSON.stringify({
          architecture: spec.platform.architecture,
          os: spec.platform.os,
          ...(spec.platform.variant ? { variant: spec.platform.variant } : {}),
          config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
          history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
        }),
      ),
    );
    const manifest = await put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: config.digest,
            size: config.size,
          },
          layers: layers.map((l) => ({
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: l.digest,
            size: l.size,
          })),
        }),
      ),
    );
    images.push({ platform: spec.platform, manifest, config, layers });
  }
  const manifestDescriptor = (img: BuiltImage) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: img.manifest.digest,
    size: img.manifest.size,
    platform: img.platform,
  });
  let top: { mediaType: string; digest: string; size: number };
  let index: BuiltBlob | undefined;
  if (images.length === 1) {
    top = manifestDescriptor(images[0] as BuiltImage);
  } else {
    index = await put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: images.map(manifestDescriptor),
        }),
      ),
    );
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: index.digest, size: index.size };
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return { dir, tag, digest: top.digest, index, images };
}
