/**
 * Reading an OCI image layout (oci-layout + index.json + blobs/<alg>/<hex>) from any
 * FileSource, so the directory and the tar archive share one implementation.
 */
import { z } from 'zod';
import { PortcullisError } from '../../errors.js';
import { VerifyingStream, assertDigest } from '../digest.js';
import { parseManifestDocument } from '../manifest.js';
import { INDEX_MEDIA_TYPES } from '../media-types.js';
import type { ImageEnvironment } from '../options.js';
import { imageFromManifest, readAll, withConfigPlatform } from '../partial.js';
import type { Descriptor, Image, ImageIndex, ImageOrIndex } from '../types.js';
import type { FileSource } from './file-source.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
/** Index nesting deeper than this is refused (a cycle or a hostile layout). */
const MAX_INDEX_DEPTH = 4;

const layoutFileSchema = z.object({ imageLayoutVersion: z.string() });

/** `blobs/<alg>/<hex>` for a digest, validated first so no digest can name another path. */
export function blobPathOf(digest: string, where: string): string {
  assertDigest(digest, where);
  const [alg, hex] = digest.split(':') as [string, string];
  return `blobs/${alg}/${hex}`;
}

async function checkLayoutVersion(files: FileSource): Promise<void> {
  if (!(await files.exists('oci-layout'))) {
    throw new PortcullisError('NOT_FOUND', `${files.what}: not an OCI image layout (no oci-layout file)`);
  }
  let parsed: z.infer<typeof layoutFileSchema>;
  try {
    parsed = layoutFileSchema.parse(JSON.parse((await files.read('oci-layout', 64 * 1024)).toString('utf8')));
  } catch (err) {
    throw new PortcullisError(
      'MANIFEST_INVALID',
      `${files.what}: oci-layout is not {"imageLayoutVersion": "…"}`,
      {
        cause: err,
      },
    );
  }
  if (!/^1\.\d+\.\d+$/.test(parsed.imageLayoutVersion)) {
    throw new PortcullisError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${files.what}: OCI layout version ${parsed.imageLayoutVersion} is not supported (want 1.x)`,
    );
  }
}

function blobOpener(files: FileSource, source: string) {
  return async (d: Descriptor) => {
    const path = blobPathOf(d.digest, `${source}: descriptor`);
    if (!(await files.exists(path))) {
      throw new PortcullisError('NOT_FOUND', `${source}: blob ${d.digest} is missing (${path})`, {
        details: { digest: d.digest, path },
      });
    }
    return files.open(path);
  };
}

/** Reads a manifest or index blob, checking it against its descriptor. */
async function readDocument(
  files: FileSource,
  d: Descriptor,
  source: string,
  limit: number,
): Promise<Buffer> {
  const what = `${source}: manifest ${d.digest}`;
  const blob = await blobOpener(files, source)(d);
  const verify = new VerifyingStream(d.digest, what, d.size);
  blob.on('error', (err) => verify.destroy(err));
  return readAll(blob.pipe(verify), limit, what);
}

function tagsOf(manifests: readonly Descriptor[]): string[] {
  return manifests.map((d) => d.annotations?.[REF_NAME]).filter((t): t is string => t !== undefined);
}

function pickDescriptor(
  manifests: readonly Descriptor[],
  tag: string | undefined,
  source: string,
): Descriptor {
  const tags = tagsOf(manifests);
  const listed = tags.length ? tags.join(', ') : 'none';
  if (tag !== undefined) {
    const found = manifests.find((d) => d.annotations?.[REF_NAME] === tag);
    if (found) return found;
    throw new PortcullisError(
      'NOT_FOUND',
      `${source}: no image tagged "${tag}" (available tags: ${listed})`,
      {
        details: { tag, available: tags },
      },
    );
  }
  const only = manifests[0];
  if (manifests.length === 1 && only) return only;
  throw new PortcullisError(
    manifests.length === 0 ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
    manifests.length === 0
      ? `${source}: index.json lists no images`
      : `${source}: the layout holds ${manifests.length} images; name one with :<tag> (available tags: ${listed})`,
    { details: { available: tags } },
  );
}

export class LayoutReader {
  constructor(
    private readonly files: FileSource,
    private readonly source: string,
    private readonly options: Pick<ImageEnvironment, 'limits'>,
  ) {}

  async image(d: Descriptor): Promise<Image> {
    const rawManifest = await readDocument(this.files, d, this.source, this.options.limits.maxManifestBytes);
    const image = imageFromManifest({
      source: this.source,
      rawManifest,
      mediaType: d.mediaType,
      digest: d.digest,
      openBlob: blobOpener(this.files, this.source),
      limits: this.options.limits,
      ...(d.platform ? { platform: d.platform } : {}),
    });
    return withConfigPlatform(image);
  }

  /** The image manifests under an index, nested indexes flattened (children keep their platform). */
  async children(d: Descriptor, depth = 0): Promise<Descriptor[]> {
    if (depth > MAX_INDEX_DEPTH) {
      throw new PortcullisError(
        'MANIFEST_INVALID',
        `${this.source}: indexes nested deeper than ${MAX_INDEX_DEPTH}`,
      );
    }
    const raw = await readDocument(this.files, d, this.source, this.options.limits.maxManifestBytes);
    const parsed = parseManifestDocument(raw, `${this.source}: index ${d.digest}`, d.mediaType);
    if (parsed.kind !== 'index') return [d];
    const out: Descriptor[] = [];
    for (const child of parsed.manifests) {
      if (INDEX_MEDIA_TYPES.includes(child.mediaType)) out.push(...(await this.children(child, depth + 1)));
      else out.push(child);
    }
    return out;
  }

  index(d: Descriptor): ImageIndex {
    let children: Promise<Descriptor[]> | undefined;
    return {
      source: this.source,
      digest: d.digest,
      mediaType: d.mediaType,
      rawManifest: () => readDocument(this.files, d, this.source, this.options.limits.maxManifestBytes),
      manifests: () => (children ??= this.children(d)),
      image: (child) => this.image(child),
    };
  }
}

/** Opens the image or index named by `tag` (or the only one) in an OCI layout. */
export async function openOciLayout(
  files: FileSource,
  source: string,
  tag: string | undefined,
  options: Pick<ImageEnvironment, 'limits'>,
): Promise<ImageOrIndex> {
  await checkLayoutVersion(files);
  if (!(await files.exists('index.json'))) {
    throw new PortcullisError('NOT_FOUND', `${source}: the OCI layout has no index.json`);
  }
  const raw = await files.read('index.json', options.limits.maxManifestBytes);
  const parsed = parseManifestDocument(raw, `${source}: index.json`);
  if (parsed.kind !== 'index') {
    throw new PortcullisError('MANIFEST_INVALID', `${source}: index.json is not an image index`);
  }
  const chosen = pickDescriptor(parsed.manifests, tag, source);
  const reader = new LayoutReader(files, source, options);
  if (INDEX_MEDIA_TYPES.includes(chosen.mediaType)) return { kind: 'index', index: reader.index(chosen) };
  return { kind: 'image', image: await reader.image(chosen) };
}
