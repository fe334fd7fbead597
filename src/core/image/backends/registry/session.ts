/**
 * One registry's session, what pulls and pushes share: ping (/v2/) to learn the scheme and the
 * auth challenge, authenticated requests (a 401 refreshes the token once), coded errors for
 * non-success answers, and the login check.
 */
import { PortcullisError } from '../../../errors.js';
import { readAll } from '../../partial.js';
import { registryEndpoint } from '../../reference/parse.js';
import type { RegistryOptions } from '../../options.js';
import { authorizationFor, credentialHint, forgetToken, type AuthContext } from './auth.js';
import { isInsecureHost, type HttpRequest, type HttpResponse, type Transport } from './transport.js';
import { parseWwwAuthenticate, type Challenge } from './www-authenticate.js';

const MAX_ERROR_BODY = 64 * 1024;

export interface Session {
  base: URL;
  challenge: Challenge | undefined;
}

export function header(res: HttpResponse, name: string): string | undefined {
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
export class RegistrySession {
  private session: Promise<Session> | undefined;

  constructor(
    readonly registry: string,
    protected readonly transport: Transport,
    protected readonly options: RegistryOptions,
    protected readonly auth: AuthContext,
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

  protected getSession(): Promise<Session> {
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
}
