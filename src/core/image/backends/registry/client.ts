/**
 * Pulling from a registry (OCI distribution spec v2): manifests by tag or digest with their
 * digests checked, blobs streamed with redirects to blob storage followed (without our
 * Authorization header once the redirect leaves the registry's origin). The session (ping,
 * auth, errors) is `session.ts`; writing is `push.ts`.
 */
import { createHash } from 'node:crypto';
import { PortcullisError } from '../../../errors.js';
import { MANIFEST_ACCEPT } from '../../media-types.js';
import { readAll } from '../../partial.js';
import type { Descriptor } from '../../types.js';
import { authorizationFor } from './auth.js';
import { header, RegistrySession } from './session.js';
import { isInsecureHost, type HttpResponse } from './transport.js';

const MAX_REDIRECTS = 5;
const DIGEST_RE = /^(sha256|sha384|sha512):([a-f0-9]+)$/;

export interface FetchedManifest {
  raw: Buffer;
  /** Content-Type without parameters; undefined when the registry sent none. */
  mediaType: string | undefined;
  digest: string;
}

function hashAs(algorithm: string, data: Buffer): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

export class RegistryClient extends RegistrySession {
  /** One authenticated pull request (GET/HEAD) under the repository's pull scope. */
  private call(
    repo: string,
    method: 'GET' | 'HEAD',
    path: string,
    what: string,
    extra: { accept?: string; range?: string | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    if (extra.accept) headers.accept = extra.accept;
    if (extra.range) headers.range = extra.range;
    return this.send({ scope: `repository:${repo}:pull`, method, path, what, headers, signal: extra.signal });
  }

  /** GETs a manifest or index; checks Docker-Content-Digest and, for digests, the body itself. */
  async getManifest(
    repo: string,
    reference: string,
    maxBytes: number,
    what: string,
  ): Promise<FetchedManifest> {
    const res = await this.call(repo, 'GET', `/v2/${repo}/manifests/${reference}`, what, {
      accept: MANIFEST_ACCEPT,
    });
    if (res.statusCode !== 200) throw await this.statusError(res, what, 'manifest', repo);
    const raw = await readAll(res.body, maxBytes, what);
    const byDigest = DIGEST_RE.exec(reference);
    if (byDigest) {
      const actual = hashAs(byDigest[1] as string, raw);
      if (actual !== reference) {
        throw new PortcullisError(
          'DIGEST_MISMATCH',
          `${what}: the registry sent a manifest that hashes to ${actual}, not the requested ${reference}`,
          {
            details: { expected: reference, actual },
          },
        );
      }
    }
    const announced = header(res, 'docker-content-digest')?.trim();
    if (announced) {
      const m = DIGEST_RE.exec(announced);
      if (!m)
        throw new PortcullisError(
          'REGISTRY_PROTOCOL',
          `${what}: Docker-Content-Digest "${announced.slice(0, 100)}" is not a digest`,
        );
      const actual = hashAs(m[1] as string, raw);
      if (actual !== announced) {
        throw new PortcullisError(
          'DIGEST_MISMATCH',
          `${what}: Docker-Content-Digest says ${announced} but the body hashes to ${actual}`,
          {
            details: { expected: announced, actual },
          },
        );
      }
    }
    const contentType = header(res, 'content-type')?.split(';')[0]?.trim();
    return { raw, mediaType: contentType || undefined, digest: byDigest ? reference : hashAs('sha256', raw) };
  }

  /** HEADs a manifest: its digest, media type and size without the body (GET when the registry omits the digest). */
  async headManifest(repo: string, reference: string, maxBytes: number, what: string): Promise<Descriptor> {
    const res = await this.call(repo, 'HEAD', `/v2/${repo}/manifests/${reference}`, what, {
      accept: MANIFEST_ACCEPT,
    });
    await res.body.dump().catch(() => undefined);
    if (res.statusCode !== 200) throw await this.statusError(res, what, 'manifest', repo);
    const digest = header(res, 'docker-content-digest')?.trim();
    const mediaType = header(res, 'content-type')?.split(';')[0]?.trim();
    const size = Number(header(res, 'content-length'));
    if (!digest || !DIGEST_RE.test(digest) || !mediaType || !Number.isSafeInteger(size)) {
      const full = await this.getManifest(repo, reference, maxBytes, what);
      return { digest: full.digest, mediaType: full.mediaType ?? '', size: full.raw.length };
    }
    return { digest, mediaType, size };
  }

  /**
   * Opens a blob, following redirects; the caller verifies the bytes against the digest.
   * With `offset` > 0 it asks for the rest only (`Range: bytes=offset-`, sent on every hop,
   * since storage behind a redirect is what honours it) and accepts a 206 as well as a 200;
   * the caller checks Content-Range.
   */
  async fetchBlob(
    repo: string,
    digest: string,
    what: string,
    { offset, signal }: { offset?: number; signal?: AbortSignal } = {},
  ): Promise<HttpResponse> {
    const range = offset ? `bytes=${offset}-` : undefined;
    let res = await this.call(repo, 'GET', `/v2/${repo}/blobs/${digest}`, what, { range, signal });
    const origin = res.url.origin;
    const session = await this.getSession();
    for (let hop = 0; res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304; hop++) {
      const location = header(res, 'location');
      await res.body.dump().catch(() => undefined);
      if (!location || hop >= MAX_REDIRECTS) {
        throw new PortcullisError(
          'REGISTRY_PROTOCOL',
          `${what}: ${location ? `more than ${MAX_REDIRECTS} redirects` : `HTTP ${res.statusCode} without a Location`}`,
        );
      }
      const next = new URL(location, res.url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new PortcullisError(
          'REGISTRY_PROTOCOL',
          `${what}: redirect to unsupported URL scheme ${next.protocol}`,
        );
      }
      if (
        next.protocol === 'http:' &&
        res.url.protocol === 'https:' &&
        !isInsecureHost(this.options, next.host)
      ) {
        throw new PortcullisError(
          'REGISTRY_PROTOCOL',
          `${what}: refusing a redirect from HTTPS to plain HTTP (${next.origin}) for a host not marked insecure`,
        );
      }
      const headers: Record<string, string> = range ? { range } : {};
      // Blob storage (S3, CDN) gets pre-signed URLs; our registry credentials must not leak there.
      if (next.origin === origin) {
        const authorization = await authorizationFor(this.auth, session.challenge, `repository:${repo}:pull`);
        if (authorization) headers.authorization = authorization;
      }
      res = await this.transport.send({ method: 'GET', url: next, headers, what, signal });
    }
    if (res.statusCode !== 200 && !(range && res.statusCode === 206))
      throw await this.statusError(res, what, 'blob', repo);
    return res;
  }
}
