/**
 * The `registry:` back-end: images and indexes read from an OCI distribution v2 registry,
 * with no Docker daemon. Clients (and their token caches and connection pools) are shared
 * per set of registry options, so opening the same image twice reuses tokens.
 */
import { PortcullisError } from '../../../errors.js';
import { parseManifestDocument } from '../../manifest.js';
import { imageFromManifest, withConfigPlatform, type BlobOpener } from '../../partial.js';
import type { ImageBackend } from '../../open.js';
import { DEFAULT_BLOB_CONCURRENCY, type OpenOptions, type RegistryOptions } from '../../options.js';
import { fetchReference, formatReference, parseReference, referenceName } from '../../reference/parse.js';
import type { Descriptor, Image, ImageIndex, ImageOrIndex } from '../../types.js';
import { TokenCache } from './auth.js';
import { sweepOnce, uncachedBlob } from './blob-cache.js';
import { downloadBlob } from './blob-download.js';
import { BlobPrefetcher } from './blob-prefetch.js';
import { RegistryClient } from './client.js';
import { resolveCredential, type CredentialLookup } from './credentials.js';
import { isInsecureHost, networkError, Transport } from './transport.js';

interface Shared {
  transport: Transport;
  tokens: TokenCache;
  clients: Map<string, RegistryClient>;
}

const shared = new WeakMap<RegistryOptions, Shared>();

/** The client for `registry` under these options (created once, then reused). */
export function registryClient(registry: string, options: RegistryOptions): RegistryClient {
  let entry = shared.get(options);
  if (!entry) {
    entry = { transport: new Transport(options), tokens: new TokenCache(), clients: new Map() };
    shared.set(options, entry);
  }
  let client = entry.clients.get(registry);
  if (!client) {
    let lookup: Promise<CredentialLookup> | undefined;
    client = new RegistryClient(registry, entry.transport, options, {
      registry,
      transport: entry.transport,
      cache: entry.tokens,
      credentials: () => (lookup ??= resolveCredential(registry, options)),
      insecure: (host) => isInsecureHost(options, host),
    });
    entry.clients.set(registry, client);
  }
  return client;
}

/** Closes the connection pools of these options (idle sockets never keep the process alive). */
export async function closeRegistryClients(options: RegistryOptions): Promise<void> {
  const entry = shared.get(options);
  shared.delete(options);
  await entry?.transport.close();
}

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
  options: OpenOptions,
  layers: readonly Descriptor[],
): BlobOpener {
  const what = (descriptor: Descriptor) => `blob ${descriptor.digest} of ${source}`;
  const stream = async (descriptor: Descriptor) => {
    const res = await client.fetchBlob(repo, descriptor.digest, what(descriptor));
    return uncachedBlob(res.body, (err) => networkError(err, { url: res.url, what: what(descriptor) }));
  };
  if (!options.cacheDir) return stream;
  const prefetcher = new BlobPrefetcher({
    cacheDir: options.cacheDir,
    concurrency: blobConcurrency(options.registry),
    stream,
    download: (descriptor, final, signal, progress) =>
      downloadBlob({
        descriptor,
        final,
        progress,
        what: what(descriptor),
        retries: options.registry.retries,
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
  options: OpenOptions,
  descriptor?: Descriptor,
): Promise<Image> {
  const parsed = parseManifestDocument(raw, `manifest of ${source}`, mediaType);
  const layers = parsed.kind === 'manifest' ? parsed.layers : [];
  const image = imageFromManifest({
    source,
    rawManifest: raw,
    digest,
    openBlob: blobOpener(client, repo, source, options, layers),
    limits: options.limits,
    ...(mediaType ? { mediaType } : {}),
    ...(descriptor?.platform ? { platform: descriptor.platform } : {}),
  });
  return withConfigPlatform(image);
}

async function open(target: string, options: OpenOptions): Promise<ImageOrIndex> {
  const ref = parseReference(target);
  const repo = ref.repository;
  const client = registryClient(ref.registry, options.registry);
  // Opening the cache is when temp files left by crashed pulls are swept (once per process).
  if (options.cacheDir) await sweepOnce(options.cacheDir);
  const source = `registry:${formatReference(ref)}`;
  const fetched = await client.getManifest(
    repo,
    fetchReference(ref),
    options.limits.maxManifestBytes,
    `manifest of ${source}`,
  );
  const parsed = parseManifestDocument(fetched.raw, `manifest of ${source}`, fetched.mediaType);
  if (parsed.kind === 'manifest') {
    return {
      kind: 'image',
      image: await manifestImage(
        client,
        repo,
        source,
        fetched.raw,
        fetched.mediaType,
        fetched.digest,
        options,
      ),
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
      if (descriptor.size > options.limits.maxManifestBytes) {
        throw new PortcullisError(
          'SIZE_LIMIT',
          `${what} is larger than the ${options.limits.maxManifestBytes}-byte limit`,
        );
      }
      const child = await client.getManifest(repo, descriptor.digest, options.limits.maxManifestBytes, what);
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
        options,
        descriptor,
      );
    },
  };
  return { kind: 'index', index };
}

export const registryBackend: ImageBackend = {
  scheme: 'registry',
  open: (spec, options) => open(spec.target, options),
};
