/**
 * What refers to a manifest (signatures, SBOM attestations): the OCI 1.1 referrers API
 * (`GET /v2/<name>/referrers/<digest>`), else the tag schema a registry without it carries
 * (`sha256-<hex>` holding an index of referrers), plus cosign's `sha256-<hex>.sig|.att|.sbom`.
 * A destination without the API gets the referrers copied by digest listed in its own
 * `sha256-<hex>` index, as OCI distribution 1.1 asks of a client pushing a manifest with a
 * `subject` to such a registry ("Pushing Manifests with Subject").
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isPortcullisError } from '../../../errors.js';
import { INDEX_MEDIA_TYPES, MEDIA } from '../../media-types.js';
import { readAll } from '../../partial.js';
import { putManifest, type RepositoryTarget } from './push.js';

const MAX_REFERRERS_BYTES = 4 * 1024 * 1024;

const referrerDescriptor = z.looseObject({
  mediaType: z.string(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const referrersIndex = z.looseObject({ manifests: z.array(referrerDescriptor) });

/** A referrer as the referrers API lists it (artifactType and annotations kept). */
export type ReferrerDescriptor = z.infer<typeof referrerDescriptor>;

export interface Referrers {
  /** Referrer manifests found through the referrers API: copied by digest. */
  manifests: ReferrerDescriptor[];
  /** Tags of the fallback schema found in the source: copied with their tag. */
  tags: string[];
}

/** The fallback tags for `digest`: the OCI 1.1 referrers tag and cosign's. */
export function fallbackTags(digest: string): string[] {
  const base = digest.replace(':', '-');
  return [base, `${base}.sig`, `${base}.att`, `${base}.sbom`];
}

/** The referrers API's answer; undefined when the registry does not speak it. */
export async function viaApi(
  target: RepositoryTarget,
  digest: string,
  signal?: AbortSignal,
): Promise<ReferrerDescriptor[] | undefined> {
  const { client, repository } = target;
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
  return parsed.success ? parsed.data.manifests : undefined;
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

/**
 * The referrers of `digest` in the source repository, by whichever means it supports. When the
 * API answers, the `sha256-<hex>` tag is left alone (the API lists what it held); cosign's
 * tags are looked for either way.
 */
export async function findReferrers(
  source: RepositoryTarget,
  digest: string,
  maxManifestBytes: number,
  signal?: AbortSignal,
): Promise<Referrers> {
  const api = await viaApi(source, digest, signal);
  signal?.throwIfAborted();
  const candidates = fallbackTags(digest).slice(api ? 1 : 0);
  const found = await Promise.all(candidates.map((tag) => tagExists(source, tag, maxManifestBytes)));
  return { manifests: api ?? [], tags: candidates.filter((_, i) => found[i]) };
}

/** The destination's `sha256-<hex>` index: its referrers, or undefined when the tag holds something else. */
async function currentIndex(
  target: RepositoryTarget,
  tag: string,
  maxBytes: number,
): Promise<Record<string, unknown> | undefined> {
  const { client, repository } = target;
  try {
    const fetched = await client.getManifest(
      repository,
      tag,
      maxBytes,
      `referrers tag ${tag} of ${repository}`,
    );
    const doc = JSON.parse(fetched.raw.toString('utf8')) as Record<string, unknown>;
    const mediaType = fetched.mediaType ?? doc.mediaType;
    const ok = typeof mediaType === 'string' && INDEX_MEDIA_TYPES.includes(mediaType);
    return ok && referrersIndex.safeParse(doc).success ? doc : undefined;
  } catch (err) {
    // No tag yet: start with an empty index.
    if (isPortcullisError(err, 'REGISTRY_NOT_FOUND'))
      return { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] };
    throw err;
  }
}

/**
 * Lists `referrers` (already in the destination) in its `sha256-<hex>` index when it does not
 * speak the referrers API: descriptors appended once each, the index pushed under the tag.
 * Returns the tag when it was written, 'api' when the registry lists them itself, undefined
 * when the tag holds something other than an image index (left alone, as the spec says).
 */
export async function listInFallbackIndex(
  destination: RepositoryTarget,
  subject: string,
  referrers: readonly ReferrerDescriptor[],
  maxManifestBytes: number,
  signal?: AbortSignal,
): Promise<string | 'api' | undefined> {
  if ((await viaApi(destination, subject, signal)) !== undefined) return 'api';
  const tag = fallbackTags(subject)[0] as string;
  const index = await currentIndex(destination, tag, maxManifestBytes);
  if (!index) return undefined;
  const manifests = (index.manifests ?? []) as ReferrerDescriptor[];
  const missing = referrers.filter((r) => !manifests.some((m) => m.digest === r.digest));
  if (missing.length === 0) return tag;
  const raw = Buffer.from(JSON.stringify({ ...index, manifests: [...manifests, ...missing] }));
  const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  await putManifest(destination, tag, { raw, mediaType: MEDIA.ociIndex, digest }, signal);
  return tag;
}
