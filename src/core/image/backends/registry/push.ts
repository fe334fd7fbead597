/**
 * Writing to a registry, one object at a time: is a blob there (HEAD), start an upload (or
 * mount it from another repository of the same registry), and put a manifest by its exact
 * bytes. Blob uploads themselves (monolithic or chunked with resume) are `upload.ts`.
 */
import { PortcullisError } from '../../../errors.js';
import type { RegistryClient } from './client.js';

/** A repository on a registry, reached through that registry's client. */
export interface RepositoryTarget {
  client: RegistryClient;
  repository: string;
}

export type BlobOutcome = 'present' | 'mounted' | 'uploaded';

export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export const pushScope = (repo: string) => `repository:${repo}:pull,push`;

/** Whether the destination already holds the blob (then nothing is sent). */
export async function blobExists(
  target: RepositoryTarget,
  digest: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const { client, repository } = target;
  const what = `check of blob ${digest} in ${client.registry}/${repository}`;
  const res = await client.send({
    scope: pushScope(repository),
    method: 'HEAD',
    path: `/v2/${repository}/blobs/${digest}`,
    what,
    signal,
  });
  await res.body.dump().catch(() => undefined);
  if (res.statusCode === 200) return true;
  if (res.statusCode === 404) return false;
  throw await target.client.statusError(res, what, 'blob');
}

/**
 * Starts an upload; with `mountFrom` asks for a cross-repository mount first. Returns
 * 'mounted' when the registry mounted the blob (201), else the upload URL (202).
 */
export async function startUpload(
  target: RepositoryTarget,
  digest: string,
  mountFrom: string | undefined,
  signal: AbortSignal | undefined,
): Promise<'mounted' | URL> {
  const { client, repository } = target;
  const query = mountFrom ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}` : '';
  const what = `${mountFrom ? 'mount' : 'upload'} of blob ${digest} to ${client.registry}/${repository}`;
  const res = await client.send({
    // A mount needs pull on the source repository in the same token.
    scope: mountFrom ? `${pushScope(repository)} repository:${mountFrom}:pull` : pushScope(repository),
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/${query}`,
    what,
    headers: { 'content-length': '0' },
    signal,
  });
  if (res.statusCode === 201 && mountFrom) {
    await res.body.dump().catch(() => undefined);
    return 'mounted';
  }
  if (res.statusCode !== 202) throw await client.statusError(res, what, 'repository');
  await res.body.dump().catch(() => undefined);
  const location = header(res.headers.location);
  if (!location)
    throw new PortcullisError('REGISTRY_PROTOCOL', `${what}: HTTP 202 without an upload Location`);
  return new URL(location, res.url);
}

/**
 * Puts a manifest by its exact bytes under `reference` (its digest, or a tag) and checks that
 * the registry stored it under the digest we computed.
 */
export async function putManifest(
  target: RepositoryTarget,
  reference: string,
  manifest: { raw: Buffer; mediaType: string; digest: string },
  signal?: AbortSignal,
): Promise<void> {
  const { client, repository } = target;
  const what = `push of manifest ${manifest.digest} as ${client.registry}/${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
  const res = await client.send({
    scope: pushScope(repository),
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    what,
    headers: { 'content-type': manifest.mediaType },
    body: manifest.raw,
    signal,
  });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw await client.statusError(res, what, 'manifest');
  await res.body.dump().catch(() => undefined);
  const stored = header(res.headers['docker-content-digest'])?.trim();
  if (stored && stored !== manifest.digest)
    throw new PortcullisError(
      'DIGEST_MISMATCH',
      `${what}: the registry stored it as ${stored}, not ${manifest.digest}`,
      { details: { expected: manifest.digest, actual: stored } },
    );
}
