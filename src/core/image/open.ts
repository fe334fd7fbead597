import { PortcullisError } from '../errors.js';
import { parseSource, type ImageScheme, type SourceScheme, type SourceSpec } from './source.js';
import { checkSinglePlatform, selectPlatform, imageDescriptors } from './platform.js';
import type { ImageEnvironment, ImageRequest } from './options.js';
import type { Image, ImageOrIndex } from './types.js';
import { registryBackend } from './backends/registry/index.js';
import { dockerDaemonBackend } from './backends/docker-daemon/index.js';
import { dockerArchiveBackend } from './backends/docker-archive/index.js';
import { ociArchiveBackend } from './backends/oci-archive/index.js';
import { ociDirBackend } from './backends/oci-dir/index.js';
import { directoryBackend } from './backends/directory/index.js';
import { throwIfAborted } from '../abort.js';
import { abortableImage } from './abortable-image.js';

/** One image back-end: turns the part after `scheme:` into an image or an index. */
export interface ImageBackend {
  readonly scheme: ImageScheme;
  open(spec: SourceSpec, env: ImageEnvironment, request: ImageRequest): Promise<ImageOrIndex>;
}

/** Every back-end, listed by hand (no import side effects); the conformance suite iterates this list. */
export const IMAGE_BACKENDS: readonly ImageBackend[] = [
  registryBackend,
  dockerDaemonBackend,
  dockerArchiveBackend,
  ociArchiveBackend,
  ociDirBackend,
  directoryBackend,
];

export function backendFor(scheme: SourceScheme): ImageBackend {
  if (scheme === 'sbom') {
    throw new PortcullisError(
      'UNSUPPORTED_SOURCE',
      'an sbom:<file> source is an SBOM, not an image: only sbom, scan, explain and evaluate read it',
    );
  }
  const backend = IMAGE_BACKENDS.find((b) => b.scheme === scheme);
  if (!backend) throw new PortcullisError('UNSUPPORTED_SOURCE', `no back-end for source scheme "${scheme}"`);
  return backend;
}

/** Opens a source string without choosing a platform. */
export async function openSource(
  input: string | SourceSpec,
  env: ImageEnvironment,
  request: ImageRequest,
): Promise<ImageOrIndex> {
  throwIfAborted(request.signal, `opening ${typeof input === 'string' ? input : input.target}`);
  const spec = typeof input === 'string' ? parseSource(input) : input;
  return backendFor(spec.scheme).open(spec, env, request);
}

/**
 * Opens a source and resolves it to images: the one image, the index child for
 * `options.platform`, or every image child with `options.allPlatforms`.
 */
export async function openImages(
  input: string | SourceSpec,
  env: ImageEnvironment,
  request: ImageRequest,
): Promise<Image[]> {
  const images = await openUnwrapped(input, env, request);
  return images.map((image) => abortableImage(image, request.signal));
}

async function openUnwrapped(
  input: string | SourceSpec,
  env: ImageEnvironment,
  options: ImageRequest,
): Promise<Image[]> {
  const opened = await openSource(input, env, options);
  if (opened.kind === 'image') {
    if (options.platformRequested && !options.allPlatforms)
      checkSinglePlatform(opened.image, options.platform);
    return [opened.image];
  }
  const { index } = opened;
  const children = await index.manifests();
  if (options.allPlatforms) {
    return Promise.all(imageDescriptors(children).map((d) => index.image(d)));
  }
  return [await index.image(selectPlatform(children, options.platform, index.source))];
}

/** Convenience for commands that work on exactly one image. */
export async function openImage(
  input: string | SourceSpec,
  env: ImageEnvironment,
  request: ImageRequest,
): Promise<Image> {
  const images = await openImages(input, env, { ...request, allPlatforms: false });
  const image = images[0];
  if (!image) throw new PortcullisError('NOT_FOUND', `no image found in ${String(input)}`);
  return image;
}
