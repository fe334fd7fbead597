/**
 * The `registry:` back-end: images and indexes read from an OCI distribution v2 registry,
 * with no Docker daemon. Clients (and their token caches and connection pools) are shared
 * per set of registry options, so opening the same image twice reuses tokens.
 */
import { PortcullisError } from '../../../errors.js';
import { parseManifestDocument } from '../../manifest.js';
import { imageFromManifest, withConfigPlatform, type BlobOpener } from '../../partial.js';
import type { ImageBackend } from '../../open.js';
import type { OpenOptions, RegistryOptions } from '../../options.js';
import { fetchReference, formatReference, parseReference, referenceName } from '../../reference/parse.js';
import type { Descriptor, Image, ImageIndex, ImageOrIndex } from '../../types.js';
import { TokenCache } from './auth.js';
import { openCachedBlob } from './blob-cache.js';
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

function blobOpener(client: RegistryClient, repo: string, source: string, options: OpenOptions): BlobOpener {
  return async (descriptor: Descriptor) => {
    const what = `blob ${descriptor.digest} of ${source}`;
    let url = new URL(`https://${client.registry}/`);
    return openCachedBlob(
      options.cacheDir || undefined,
      descriptor,
      async () => {
        const res = await client.fetchBlob(repo, descriptor.digest, what);
        url = res.url;
        return res.body;
      },
      (err) => networkError(err, { url, what }),
    );
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
  const image = imageFromManifest({
    source,
    rawManifest: raw,
    digest,
    openBlob: blobOpener(client, repo, source, options),
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
