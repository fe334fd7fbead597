import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { PortcullisError } from '../../../errors.js';
import { digestOf } from '../../digest.js';
import { MEDIA } from '../../media-types.js';
import type { ImageEnvironment, ImageRequest } from '../../options.js';
import { imageFromManifest, withConfigPlatform } from '../../partial.js';
import type { ImageBackend } from '../../open.js';
import type { Image } from '../../types.js';
import { packEntries } from './tar-pack.js';
import { walkDirectory } from './walk.js';

async function sha256OfStream(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/**
 * A plain directory as a one-layer image. The layer is a tar generated on the fly from a
 * deterministic walk; a first pass hashes it so the synthesized config's diff_id is exactly
 * the digest of the bytes later passes produce. Config and manifest carry no timestamps,
 * so the same tree always yields the same manifest digest.
 */
export async function openDirectory(
  root: string,
  source: string,
  options: Pick<ImageEnvironment, 'limits'> & Pick<ImageRequest, 'platform'>,
): Promise<Image> {
  const info = await stat(root).catch((err: unknown) => {
    throw new PortcullisError('NOT_FOUND', `${source}: ${root} does not exist`, {
      cause: err,
      details: { path: root },
    });
  });
  if (!info.isDirectory()) {
    throw new PortcullisError('INVALID_ARGUMENT', `${source}: ${root} is not a directory`, {
      details: { path: root },
    });
  }
  const entries = await walkDirectory(resolve(root), source, options.limits.maxEntriesPerLayer);
  const layer = await sha256OfStream(packEntries(entries, source));
  const { os, architecture, variant } = options.platform;
  const rawConfig = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      ...(variant ? { variant } : {}),
      config: {},
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      history: [{ created_by: `portcullis: ${source}` }],
    }),
  );
  const configDescriptor = {
    mediaType: MEDIA.ociConfig,
    digest: digestOf(rawConfig),
    size: rawConfig.length,
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: configDescriptor,
    layers: [{ mediaType: MEDIA.ociLayer, digest: layer.digest, size: layer.size }],
  };
  const image = imageFromManifest({
    source,
    rawManifest: Buffer.from(JSON.stringify(manifest)),
    mediaType: MEDIA.ociManifest,
    limits: options.limits,
    openBlob: async (d) => {
      if (d.digest === configDescriptor.digest) return Readable.from([rawConfig]);
      if (d.digest === layer.digest) return packEntries(entries, source);
      throw new PortcullisError('NOT_FOUND', `${source}: no blob ${d.digest}`);
    },
  });
  return { ...(await withConfigPlatform(image)), directory: true };
}

/** `dir:<rootfs>`: a root filesystem on disk, read as a one-layer image for the platform asked for. */
export const directoryBackend: ImageBackend = {
  scheme: 'dir',
  async open(spec, env, request) {
    const options = { limits: env.limits, platform: request.platform };
    return { kind: 'image', image: await openDirectory(spec.target, spec.input, options) };
  },
};
