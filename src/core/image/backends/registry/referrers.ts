/**
 * What refers to a manifest (signatures, SBOM attestations): the OCI 1.1 referrers API
 * (`GET /v2/<name>/referrers/<digest>`), else the tag schema a registry without it carries
 * (`sha256-<hex>` holding an index of referrers), plus cosign's `sha256-<hex>.sig|.att|.sbom`.
 */
import { z } from 'zod';
import { isPortcullisError } from '../../../errors.js';
import { MEDIA } from '../../media-types.js';
import { readAll } from '../../partial.js';
import type { Descriptor } from '../../types.js';
import type { RepositoryTarget } from './push.js';

const MAX_REFERRERS_BYTES = 4 * 1024 * 1024;

const referrersIndex = z.looseObject({
  manifests: z.array(
    z.looseObject({ mediaType: z.string(), digest: z.string(), size: z.number().int().nonnegative() }),
  ),
});

export interface Referrers {
  /** Referrer manifests found through the referrers API: copied by digest. */
  manifests: Descriptor[];
  /** Tags of the fallback schema found in the source: copied with their tag. */
  tags: string[];
}

/** The fallback tags for `digest`: the OCI 1.1 referrers tag and cosign's. */
export function fallbackTags(digest: string): string[] {
  const base = digest.replace(':', '-');
  return [base, `${base}.sig`, `${base}.att`, `${base}.sbom`];
}

async function viaApi(
  source: RepositoryTarget,
  digest: string,
  signal?: AbortSignal,
): Promise<Descriptor[] | undefined> {
  const { client, repository } = source;
  const what = `referrers of ${client.registry}/${repository}@${digest}`;
  const res = await client.send({
    scope: `repository:${repository}:pull`,
    method: 'GET',
    path: `/v2/${repository}/referrers/${digest}`,
    what,
    headers: { accept: MEDIA.ociIndex },
    signal,
  });
  if (res.statusCode !== 200) {
    // 404 (and 400/405 from older registries): the API is not there; use the tag schema.
    await res.body.dump().catch(() => undefined);
    return undefined;
  }
  const raw = await readAll(res.body, MAX_REFERRERS_BYTES, what);
  const parsed = referrersIndex.safeParse(JSON.parse(raw.toString('utf8')));
  return parsed.success
    ? parsed.data.manifests.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size }))
    : undefined;
}

async function tagExists(source: RepositoryTarget, tag: string, maxBytes: number): Promise<boolean> {
  const { client, repository } = source;
  try {
    await client.headManifest(
      repository,
      tag,
      maxBytes,
      `referrers tag ${tag} of ${client.registry}/${repository}`,
    );
    return true;
  } catch (err) {
    if (isPortcullisError(err, 'REGISTRY_NOT_FOUND')) return false;
    throw err;
  }
}

/** The referrers of `digest` in the source repository, by whichever means it supports. */
export async function findReferrers(
  source: RepositoryTarget,
  digest: string,
  maxManifestBytes: number,
  signal?: AbortSignal,
): Promise<Referrers> {
  const manifests = (await viaApi(source, digest, signal)) ?? [];
  signal?.throwIfAborted();
  const candidates = fallbackTags(digest);
  const found = await Promise.all(candidates.map((tag) => tagExists(source, tag, maxManifestBytes)));
  return { manifests, tags: candidates.filter((_, i) => found[i]) };
}
