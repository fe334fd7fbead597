/**
 * The `registry:` back-end: images and indexes read from an OCI distribution v2 registry,
 * with no Docker daemon. Clients come from the environment's pool (`RegistryClients`, owned
 * by the composition root), so opening the same image twice reuses connections and tokens.
 */
import { PortcullisError } from '../../../errors.js';
import { parseManifestDocument } from '../../manifest.js';
import { imageFromManifest, withConfigPlatform, type BlobOpener } from '../../partial.js';
import type { ImageBackend } from '../../open.js';
import {
  DEFAULT_BLOB_CONCURRENCY,
  type ImageEnvironment,
  type ImageRequest,
  type RegistryOptions,
} from '../../options.js';
import { fetchReference, formatReference, parseReference, referenceName } from '../../reference/parse.js';
import type { Descriptor, Image, ImageIndex, ImageOrIndex } from '../../types.js';
import { sweepOnce, uncachedBlob } from './blob-cache.js';
import { downloadBlob } from './blob-download.js';
import { BlobPrefetcher } from './blob-prefetch.js';
import type { RegistryClient } from './client.js';
import { networkError } from './transport.js';

function blobConcurrency(options: RegistryOptions): number {
  const n = options.blobConcurrency ?? DEFAULT_BLOB_CONCURRENCY;
  if (!Number.isInteger(n) || n < 1) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      `blob concurrency must be a whole number of at least 1, got ${n}`,
    );
  }
  return n;
}

/**
 * Opens blobs of one image. With a cache, blobs download into it ahead of the layer being
 * read (`layers` says what comes next); without one, each streams straight from the registry.
 */
function blobOpener(
  client: RegistryClient,
  repo: string,
  source: string,
  env: ImageEnvironment,
  layers: readonly Descriptor[],
): BlobOpener {
  const what = (descriptor: Descriptor) => `blob ${descriptor.digest} of ${source}`;
  const stream = async (descriptor: Descriptor) => {
    const res = await client.fetchBlob(repo, descriptor.digest, what(descriptor));
    return uncachedBlob(res.body, (err) => networkError(err, { url: res.url, what: what(descriptor) }));
  };
  if (!env.cacheDir) return stream;
  const prefetcher = new BlobPrefetcher({
    cacheDir: env.cacheDir,
    concurrency: blobConcurrency(env.registry),
    stream,
    download: (descriptor, final, signal, progress) =>
      downloadBlob({
        descriptor,
        final,
        progress,
        what: what(descriptor),
        retries: env.registry.retries,
        signal,
        open: (offset) => client.fetchBlob(repo, descriptor.digest, what(descriptor), { offset, signal }),
        mapError: (err, url) => networkError(err, { url, what: what(descriptor) }),
      }),
  });
  return (descriptor) => {
    const at = layers.findIndex((layer) => layer.digest === descriptor.digest);
    return prefetcher.open(descriptor, at < 0 ? [] : layers.slice(at + 1));
  };
}

async function manifestImage(
  client: RegistryClient,
  repo: string,
  source: string,
  raw: Buffer,
  mediaType: string | undefined,
  digest: string,
  env: ImageEnvironment,
  descriptor?: Descriptor,
): Promise<Image> {
  const parsed = parseManifestDocument(raw, `manifest of ${source}`, mediaType);
  const layers = parsed.kind === 'manifest' ? parsed.layers : [];
  const image = imageFromManifest({
    source,
    rawManifest: raw,
    digest,
    openBlob: blobOpener(client, repo, source, env, layers),
    limits: env.limits,
    ...(mediaType ? { mediaType } : {}),
    ...(descriptor?.platform ? { platform: descriptor.platform } : {}),
  });
  return withConfigPlatform(image);
}

/** The pool's client for `registry`, with the request's own access or else the environment's keychain. */
export function registryClient(
  registry: string,
  env: Pick<ImageEnvironment, 'clients' | 'keychain'>,
  request?: Pick<ImageRequest, 'access'>,
): RegistryClient {
  return env.clients.client(registry, request?.access ?? { keychain: env.keychain, insecureHosts: [] });
}

async function open(target: string, env: ImageEnvironment, request: ImageRequest): Promise<ImageOrIndex> {
  const ref = parseReference(target);
  const repo = ref.repository;
  const client = registryClient(ref.registry, env, request);
  // Opening the cache is when temp files left by crashed pulls are swept (once per process).
  if (env.cacheDir) await sweepOnce(env.cacheDir);
  const source = `registry:${formatReference(ref)}`;
  const fetched = await client.getManifest(
    repo,
    fetchReference(ref),
    env.limits.maxManifestBytes,
    `manifest of ${source}`,
  );
  const parsed = parseManifestDocument(fetched.raw, `manifest of ${source}`, fetched.mediaType);
  if (parsed.kind === 'manifest') {
    return {
      kind: 'image',
      image: await manifestImage(client, repo, source, fetched.raw, fetched.mediaType, fetched.digest, env),
    };
  }
  const index: ImageIndex = {
    source,
    digest: fetched.digest,
    mediaType: parsed.mediaType,
    rawManifest: async () => fetched.raw,
    manifests: async () => parsed.manifests,
    async image(descriptor) {
      const childSource = `registry:${referenceName(ref)}@${descriptor.digest}`;
      const what = `manifest of ${childSource} (in index ${source})`;
      if (descriptor.size > env.limits.maxManifestBytes) {
        throw new PortcullisError(
          'SIZE_LIMIT',
          `${what} is larger than the ${env.limits.maxManifestBytes}-byte limit`,
        );
      }
      const child = await client.getManifest(repo, descriptor.digest, env.limits.maxManifestBytes, what);
      if (child.raw.length !== descriptor.size) {
        throw new PortcullisError(
          'DIGEST_MISMATCH',
          `${what}: ${child.raw.length} bytes received, the index announces ${descriptor.size}`,
        );
      }
      return manifestImage(
        client,
        repo,
        childSource,
        child.raw,
        child.mediaType ?? descriptor.mediaType,
        child.digest,
        env,
        descriptor,
      );
    },
  };
  return { kind: 'index', index };
}

export const registryBackend: ImageBackend = {
  scheme: 'registry',
  open: (spec, env, request) => open(spec.target, env, request),
};
