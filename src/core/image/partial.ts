/**
 * Completes Image / Layer objects from a minimal core: raw manifest + a way to open blobs.
 * Every manifest-based back-end (registry, oci-dir, oci-archive, docker-archive, docker
 * daemon) builds its images with these, so verification and decompression live in one place.
 */
import type { Readable } from 'node:stream';
import { PortcullisError } from '../errors.js';
import { VerifyingStream, digestOf } from './digest.js';
import { decompressor } from './decompress.js';
import { layerCompression, type Compression } from './media-types.js';
import { parseImageConfig, parseManifestDocument } from './manifest.js';
import type { ImageLimits } from './options.js';
import { normalizePlatform } from './platform.js';
import type { Descriptor, Image, ImageConfigFile, Layer, Platform } from './types.js';

export type BlobOpener = (descriptor: Descriptor) => Promise<Readable>;

/** Reads a whole (small) stream, refusing more than `limit` bytes. */
export async function readAll(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buf.length;
    if (total > limit) {
      stream.destroy();
      throw new PortcullisError('SIZE_LIMIT', `${what} is larger than the ${limit}-byte limit`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export interface LayerInit {
  descriptor: Descriptor;
  diffId: string;
  /** Compression when the media type does not say (docker save archives); default from media type. */
  compression?: Compression;
  openBlob: BlobOpener;
  limits: ImageLimits;
  /** For messages: "<image source> layer 3 (sha256:…)". */
  what: string;
}

export function makeLayer(init: LayerInit): Layer {
  const { descriptor, diffId, openBlob, limits, what } = init;
  const compression = init.compression ?? layerCompression(descriptor.mediaType);
  if (!compression) {
    throw new PortcullisError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${what} has media type ${descriptor.mediaType}, which is not a layer`,
      {
        details: { mediaType: descriptor.mediaType },
      },
    );
  }
  const compressed = async (): Promise<Readable> => {
    const blob = await openBlob(descriptor);
    const verify = new VerifyingStream(
      descriptor.digest,
      what,
      descriptor.size >= 0 ? descriptor.size : undefined,
    );
    blob.on('error', (err) => verify.destroy(err));
    // A consumer that stops early destroys what we return: release the file or socket too.
    verify.on('close', () => blob.destroy());
    return blob.pipe(verify);
  };
  return {
    digest: descriptor.digest,
    diffId,
    size: descriptor.size,
    mediaType: descriptor.mediaType,
    compression,
    compressed,
    async uncompressed() {
      const source = await compressed();
      const { input, output } = decompressor(compression, limits, what);
      source.on('error', (err) => output.destroy(err));
      source.pipe(input);
      // An uncompressed blob whose digest is its diffID (docker save, the daemon) was just
      // verified byte for byte: hashing the same bytes again would add nothing.
      if (compression === 'none' && descriptor.digest === diffId) {
        output.on('close', () => source.destroy());
        return output;
      }
      const verify = new VerifyingStream(diffId, `${what} (uncompressed)`);
      output.on('error', (err) => verify.destroy(err));
      verify.on('close', () => source.destroy());
      return output.pipe(verify);
    },
  };
}

export interface ManifestImageInit {
  source: string;
  rawManifest: Buffer;
  /** Content-Type or descriptor media type of the manifest, when known. */
  mediaType?: string;
  /** Manifest digest; computed from the raw bytes when omitted. */
  digest?: string;
  openBlob: BlobOpener;
  limits: ImageLimits;
  /** Platform from the index descriptor, used when the config does not say. */
  platform?: Platform;
}

/** An Image from a manifest document; config and layers are read lazily, once. */
export function imageFromManifest(init: ManifestImageInit): Image {
  const parsed = parseManifestDocument(init.rawManifest, `manifest of ${init.source}`, init.mediaType);
  if (parsed.kind !== 'manifest') {
    throw new PortcullisError('MANIFEST_INVALID', `${init.source} is an index, not an image manifest`);
  }
  let rawConfig: Promise<Buffer> | undefined;
  let config: Promise<ImageConfigFile> | undefined;
  const loadRawConfig = () =>
    (rawConfig ??= init.openBlob(parsed.config).then((s) => {
      const verify = new VerifyingStream(
        parsed.config.digest,
        `config of ${init.source}`,
        parsed.config.size,
      );
      s.on('error', (err) => verify.destroy(err));
      return readAll(s.pipe(verify), init.limits.maxManifestBytes, `config of ${init.source}`);
    }));
  const loadConfig = () =>
    (config ??= loadRawConfig().then((raw) => parseImageConfig(raw, `config of ${init.source}`)));
  const image: Image = {
    source: init.source,
    digest: init.digest ?? digestOf(init.rawManifest),
    mediaType: parsed.mediaType,
    platform: init.platform ?? { os: 'unknown', architecture: 'unknown' },
    rawManifest: async () => init.rawManifest,
    rawConfig: loadRawConfig,
    config: loadConfig,
    async layers() {
      const cfg = await loadConfig();
      const diffIds = cfg.rootfs.diff_ids;
      if (diffIds.length !== parsed.layers.length) {
        throw new PortcullisError(
          'MANIFEST_INVALID',
          `${init.source}: manifest lists ${parsed.layers.length} layers but the config has ${diffIds.length} diff_ids`,
        );
      }
      return parsed.layers.map((descriptor, i) =>
        makeLayer({
          descriptor,
          diffId: diffIds[i] as string,
          openBlob: init.openBlob,
          limits: init.limits,
          what: `${init.source} layer ${i} (${descriptor.digest})`,
        }),
      );
    },
  };
  return image;
}

/** Loads the config once so `image.platform` reflects it; back-ends call this before returning an image. */
export async function withConfigPlatform(image: Image): Promise<Image> {
  const cfg = await image.config();
  const platform = normalizePlatform({
    os: cfg.os || 'unknown',
    architecture: cfg.architecture || 'unknown',
    ...(cfg.variant ? { variant: cfg.variant } : {}),
  });
  // Image methods are closures (no `this`), so a spread copy is a complete image.
  return { ...image, platform };
}
