import { createHash } from 'node:crypto';
import { PortcullisError } from '../../../errors.js';
import { tarFileSource, type FileSource } from '../../archive/file-source.js';
import { TarIndex } from '../../archive/tar-index.js';
import { digestOf } from '../../digest.js';
import { parseImageConfig } from '../../manifest.js';
import { MEDIA, sniffCompression, type Compression } from '../../media-types.js';
import type { ImageEnvironment } from '../../options.js';
import { imageFromManifest, withConfigPlatform } from '../../partial.js';
import type { Descriptor, Image } from '../../types.js';
import { parseArchiveManifest, selectEntry } from './archive-manifest.js';

const LAYER_TYPE: Record<Compression, string> = {
  none: 'application/vnd.docker.image.rootfs.diff.tar',
  gzip: MEDIA.dockerLayerGzip,
  // Docker schema 2 has no zstd layer type; the OCI one says what the bytes are.
  zstd: MEDIA.ociLayerZstd,
};

async function hashMember(files: FileSource, path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await files.open(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Digest of a layer file: from its `blobs/sha256/<hex>` name, the diffID when uncompressed, else hashed. */
async function layerDigest(
  files: FileSource,
  path: string,
  compression: Compression,
  diffId: string | undefined,
) {
  const named = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
  if (named) return `sha256:${named[1]}`;
  // An uncompressed layer's blob digest is by definition its diffID; reading verifies it.
  if (compression === 'none' && diffId) return diffId;
  return hashMember(files, path);
}

/**
 * Opens one image of a `docker save` archive (legacy `<id>/layer.tar` or OCI-style `blobs/`)
 * by synthesizing a Docker schema-2 manifest whose layer digests are the layer files' digests.
 */
export async function openDockerArchive(
  file: string,
  ref: string | undefined,
  source: string,
  options: Pick<ImageEnvironment, 'limits'>,
): Promise<Image> {
  const index = await TarIndex.open(file, source, options.limits.maxEntriesPerLayer);
  const files = tarFileSource(index, source);
  if (!(await files.exists('manifest.json'))) {
    throw new PortcullisError('NOT_FOUND', `${source}: no manifest.json (not a docker save archive)`);
  }
  const entries = parseArchiveManifest(
    await files.read('manifest.json', options.limits.maxManifestBytes),
    source,
  );
  const entry = selectEntry(entries, ref, source);
  const rawConfig = await files.read(entry.Config, options.limits.maxManifestBytes);
  const config = parseImageConfig(rawConfig, `${source}: config ${entry.Config}`);
  const configDescriptor: Descriptor = {
    mediaType: MEDIA.dockerConfig,
    digest: digestOf(rawConfig),
    size: rawConfig.length,
  };
  const byDigest = new Map<string, string>([[configDescriptor.digest, entry.Config]]);
  const layers: Descriptor[] = [];
  for (const [i, path] of entry.Layers.entries()) {
    const compression = sniffCompression(await readHead(files, path));
    const digest = await layerDigest(files, path, compression, config.rootfs.diff_ids[i]);
    byDigest.set(digest, path);
    layers.push({ mediaType: LAYER_TYPE[compression], digest, size: await files.size(path) });
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.dockerManifest,
    config: configDescriptor,
    layers,
  };
  const image = imageFromManifest({
    source,
    rawManifest: Buffer.from(JSON.stringify(manifest)),
    mediaType: MEDIA.dockerManifest,
    limits: options.limits,
    openBlob: async (d) => {
      const path = byDigest.get(d.digest);
      if (!path)
        throw new PortcullisError('NOT_FOUND', `${source}: no file in the archive for blob ${d.digest}`);
      return files.open(path);
    },
  });
  return withConfigPlatform(image);
}

async function readHead(files: FileSource, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await files.open(path, 0, 4)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
