/**
 * The OCI distribution spec v2 client for one registry: ping (/v2/) to learn the scheme
 * and the auth challenge, manifests by tag or digest with their digests checked, blobs
 * streamed with redirects to blob storage followed (without our Authorization header once
 * the redirect leaves the registry's origin).
 */
import { createHash } from 'node:crypto';
import { PortcullisError } from '../../../errors.js';
import { MANIFEST_ACCEPT } from '../../media-types.js';
import { readAll } from '../../partial.js';
import { registryEndpoint } from '../../reference/parse.js';
import type { Descriptor } from '../../types.js';
import { authorizationFor, credentialHint, forgetToken, type AuthContext } from './auth.js';
import { parseWwwAuthenticate, type Challenge } from './www-authenticate.js';
import { isInsecureHost, type HttpRequest, type HttpResponse, type Transport } from './transport.js';
import type { RegistryOptions } from '../../options.js';

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;
const DIGEST_RE = /^(sha256|sha384|sha512):([a-f0-9]+)$/;

interface Session {
  base: URL;
  challenge: Challenge | undefined;
}

export interface FetchedManifest {
  raw: Buffer;
  /** Content-Type without parameters; undefined when the registry sent none. */
  mediaType: string | undefined;
  digest: string;
}

function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return (
    challenges.find((c) => c.scheme === 'bearer') ??
    challenges.find((c) => c.scheme === 'basic') ??
    challenges[0]
  );
}

function hashAs(algorithm: string, data: Buffer): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** The registry's own error text ({"errors":[{"code","message"}]}), when it sent one. */
async function errorText(res: HttpResponse): Promise<string> {
  try {
    const body = await readAll(res.body, MAX_ERROR_BODY, 'error body');
    const json = JSON.parse(body.toString('utf8')) as {
      errors?: Array<{ code?: unknown; message?: unknown }>;
    };
    const first = json.errors?.[0];
    return first ? `: ${String(first.code ?? '')} ${String(first.message ?? '')}`.trimEnd() : '';
  } catch {
    res.body.destroy();
    return '';
  }
}

export class RegistryClient {
  private session: Promise<Session> | undefined;

  constructor(
    readonly registry: string,
    private readonly transport: Transport,
    private readonly options: RegistryOptions,
    private readonly auth: AuthContext,
  ) {}

  private async ping(): Promise<Session> {
    const host = registryEndpoint(this.registry);
    const insecure = isInsecureHost(this.options, this.registry) || isInsecureHost(this.options, host);
    const schemes = insecure ? ['https:', 'http:'] : ['https:'];
    let lastError: unknown;
    for (const scheme of schemes) {
      const base = new URL(`${scheme}//${host}/`);
      let res: HttpResponse;
      try {
        res = await this.transport.send({
          method: 'GET',
          url: new URL('/v2/', base),
          what: `API check of registry ${this.registry}`,
        });
      } catch (err) {
        // An insecure registry may speak plain HTTP: only then is a failed https attempt retried as http.
        lastError = err;
        continue;
      }
      if (res.statusCode === 200) {
        await res.body.dump().catch(() => undefined);
        return { base, challenge: undefined };
      }
      if (res.statusCode === 401) {
        await res.body.dump().catch(() => undefined);
        const challenge = pickChallenge(parseWwwAuthenticate(res.headers['www-authenticate']));
        return { base, challenge: challenge ?? { scheme: 'basic', params: {} } };
      }
      throw await this.statusError(
        res,
        `API check of registry ${this.registry} (${base.origin}/v2/)`,
        'registry API',
      );
    }
    throw lastError;
  }

  private getSession(): Promise<Session> {
    this.session ??= this.ping().catch((err: unknown) => {
      this.session = undefined; // a failed ping is not remembered; the next call tries again
      throw err;
    });
    return this.session;
  }

  /** A coded error for a non-success answer, naming what was asked for. */
  async statusError(
    res: HttpResponse,
    what: string,
    kind: string,
    repository = '',
  ): Promise<PortcullisError> {
    const status = res.statusCode;
    const text = await errorText(res);
    const details = { registry: this.registry, status, url: res.url.href };
    if (status === 401) {
      const lookup = await this.auth.credentials(repository);
      // Registries answer 401, not 404, for repositories an anonymous user cannot see.
      const hint = `${credentialHint(lookup)}${lookup.source ? '' : `; the ${kind} may also not exist`}`;
      return new PortcullisError(
        'REGISTRY_UNAUTHORIZED',
        `${what}: unauthorized (HTTP 401${text}); ${hint}`,
        { details },
      );
    }
    if (status === 403)
      return new PortcullisError('REGISTRY_DENIED', `${what}: access denied (HTTP 403${text})`, { details });
    if (status === 404)
      return new PortcullisError('REGISTRY_NOT_FOUND', `${what}: ${kind} not found (HTTP 404${text})`, {
        details,
      });
    if (status === 429) {
      const wait = header(res, 'retry-after');
      return new PortcullisError(
        'REGISTRY_RATE_LIMITED',
        `${what}: rate limited (HTTP 429${wait ? `, Retry-After ${wait}` : ''}); retried up to ${this.options.retries} times, waiting at most 60 s each`,
        { details },
      );
    }
    return new PortcullisError('REGISTRY_ERROR', `${what}: HTTP ${status}${text}`, { details });
  }

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

  /**
   * One authenticated request under `scope` (space-separated scopes for several repositories);
   * a 401 refreshes the challenge/token and is tried once more when the body can be replayed.
   * `path` may be absolute (an upload Location).
   */
  async send(req: {
    scope: string;
    method: HttpRequest['method'];
    path: string;
    what: string;
    headers?: Record<string, string>;
    body?: HttpRequest['body'];
    signal?: AbortSignal | undefined;
  }): Promise<HttpResponse> {
    const session = await this.getSession();
    const url = new URL(req.path, session.base);
    const replayable = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...req.headers };
      const authorization = await authorizationFor(this.auth, session.challenge, req.scope);
      if (authorization) headers.authorization = authorization;
      const res = await this.transport.send({
        method: req.method,
        url,
        headers,
        what: req.what,
        ...(req.body !== undefined ? { body: req.body } : {}),
        signal: req.signal,
      });
      if (res.statusCode !== 401 || attempt > 0 || !replayable) return res;
      const fresh = pickChallenge(parseWwwAuthenticate(res.headers['www-authenticate']));
      if (!fresh && session.challenge?.scheme !== 'bearer') return res;
      await res.body.dump().catch(() => undefined);
      await forgetToken(this.auth, session.challenge, req.scope);
      if (fresh) session.challenge = fresh;
    }
  }

  /**
   * What `docker login` checks: the API root with the credentials (a token first, under a
   * bearer challenge). Throws REGISTRY_UNAUTHORIZED when refused; an open registry passes.
   */
  async checkLogin(): Promise<void> {
    const session = await this.getSession();
    if (!session.challenge) return;
    const what = `login to registry ${this.registry}`;
    const authorization = await authorizationFor(this.auth, session.challenge, 'registry:catalog:*');
    if (!authorization)
      throw new PortcullisError(
        'REGISTRY_UNAUTHORIZED',
        `${what}: the registry asks for credentials and none were given`,
        {
          details: { registry: this.registry },
        },
      );
    const res = await this.transport.send({
      method: 'GET',
      url: new URL('/v2/', session.base),
      headers: { authorization },
      what,
    });
    if (res.statusCode !== 200) throw await this.statusError(res, what, 'registry API');
    await res.body.dump().catch(() => undefined);
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
