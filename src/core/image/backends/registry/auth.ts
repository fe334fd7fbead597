/**
 * Registry authentication: anonymous, basic, and the bearer token flow of the distribution
 * token spec (GET the realm with service + scope, basic credentials when we have them, or
 * an OAuth2 refresh-token POST for docker `identitytoken`s). Tokens are cached per
 * registry + service + scope until shortly before they expire.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PortcullisError } from '../../../errors.js';
import { readAll } from '../../partial.js';
import type { CredentialLookup } from './credentials.js';
import type { Challenge } from './www-authenticate.js';
import type { Transport } from './transport.js';

const MAX_TOKEN_RESPONSE = 1024 * 1024;
/** The token spec's default lifetime when the server does not say. */
const DEFAULT_EXPIRES_IN_S = 60;
/** Renew this long before expiry so a token never runs out mid-request. */
const EXPIRY_MARGIN_MS = 5_000;

const tokenResponse = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Tokens by credential identity|registry|service|scope: one cache may serve several accounts
 * (a service's shared pool), and a token issued for one account's credential is never handed
 * to a request made with another's (or with none).
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();

  get(key: string, now: number = Date.now()): string | undefined {
    const hit = this.tokens.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= now) {
      this.tokens.delete(key);
      return undefined;
    }
    return hit.token;
  }

  set(key: string, token: string, expiresInS: number, now: number = Date.now()): void {
    const lifetime = expiresInS * 1000;
    this.tokens.set(key, { token, expiresAt: now + Math.max(lifetime / 2, lifetime - EXPIRY_MARGIN_MS) });
  }

  delete(key: string): void {
    this.tokens.delete(key);
  }

  /** Shares one token request among concurrent callers (parallel layer pulls) for the same key. */
  async getOrFetch(key: string, fetch: () => Promise<{ token: string; expiresIn: number }>): Promise<string> {
    const hit = this.get(key);
    if (hit) return hit;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = fetch()
        .then(({ token, expiresIn }) => {
          this.set(key, token, expiresIn);
          return token;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }
}

export interface AuthContext {
  registry: string;
  transport: Transport;
  cache: TokenCache;
  /** The keychain's answer for a repository of this registry ("" = the registry as a whole). */
  credentials: (repository: string) => Promise<CredentialLookup>;
  /** Whether plain HTTP is allowed to this host (options.registry.insecureHosts). */
  insecure: (host: string) => boolean;
}

/** The repository a token scope is about ("repository:team-a/app:pull" → "team-a/app"); else "". */
export function scopeRepository(scope: string): string {
  const match = /^repository:(.+):[a-z,*]+$/.exec(scope);
  return match?.[1] ?? '';
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** The message tail explaining what credentials were (not) used. */
export function credentialHint(lookup: CredentialLookup): string {
  if (lookup.source) return `credentials from ${lookup.source} were refused`;
  return lookup.note ?? 'no credentials were given (--username/--password or docker config.json)';
}

function realmUrl(challenge: Challenge, registry: string): URL {
  const realm = challenge.params.realm;
  let url: URL | undefined;
  try {
    url = realm ? new URL(realm) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new PortcullisError(
      'REGISTRY_PROTOCOL',
      `${registry} asked for bearer auth with an unusable realm ${JSON.stringify(realm ?? '')}`,
    );
  }
  return url;
}

async function fetchToken(
  ctx: AuthContext,
  challenge: Challenge,
  scope: string,
): Promise<{ token: string; expiresIn: number }> {
  const url = realmUrl(challenge, ctx.registry);
  if (url.protocol === 'http:' && !ctx.insecure(url.host)) {
    // Credentials (and the token that comes back) must not cross the network in clear text.
    throw new PortcullisError(
      'REGISTRY_PROTOCOL',
      `${ctx.registry} sends us to a plain-HTTP token server ${url.origin}; refusing unless that host is marked insecure`,
    );
  }
  const service = challenge.params.service;
  const lookup = await ctx.credentials(scopeRepository(scope));
  const cred = lookup.credential;
  const what = `token for ${scope} on ${ctx.registry} from ${url.origin}${url.pathname}`;
  let res;
  // Like docker, an identity token wins over a user name stored next to it (ACR stores both).
  if (cred?.token) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: cred.token,
      client_id: 'portcullis',
      scope,
    });
    if (service) form.set('service', service);
    res = await ctx.transport.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      what,
    });
  } else {
    if (service) url.searchParams.set('service', service);
    // Several scopes (a cross-repository mount needs push on one, pull on the other) are
    // separate parameters, as the token spec asks.
    for (const one of scope.split(' ')) url.searchParams.append('scope', one);
    const headers: Record<string, string> = {};
    if (cred?.username !== undefined) headers.authorization = basicHeader(cred.username, cred.password ?? '');
    res = await ctx.transport.send({ method: 'GET', url, headers, what });
  }
  if (res.statusCode === 401 || res.statusCode === 403) {
    await res.body.dump().catch(() => undefined);
    throw new PortcullisError(
      'REGISTRY_UNAUTHORIZED',
      `${what}: HTTP ${res.statusCode}; ${credentialHint(lookup)}`,
      {
        details: { registry: ctx.registry, status: res.statusCode },
      },
    );
  }
  const body = await readAll(res.body, MAX_TOKEN_RESPONSE, what);
  if (res.statusCode !== 200) {
    throw new PortcullisError('REGISTRY_ERROR', `${what}: HTTP ${res.statusCode}`, {
      details: { registry: ctx.registry, status: res.statusCode },
    });
  }
  let parsed: z.infer<typeof tokenResponse> | undefined;
  try {
    const result = tokenResponse.safeParse(JSON.parse(body.toString('utf8')));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  const token = parsed?.token || parsed?.access_token;
  if (!parsed || !token) {
    throw new PortcullisError(
      'REGISTRY_PROTOCOL',
      `${what}: the answer is not a token response (JSON with "token")`,
    );
  }
  const expiresIn = parsed.expires_in && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_EXPIRES_IN_S;
  return { token, expiresIn };
}

/** The Authorization header for a request under `challenge` (undefined = go anonymous). */
export async function authorizationFor(
  ctx: AuthContext,
  challenge: Challenge | undefined,
  scope: string,
): Promise<string | undefined> {
  if (!challenge) return undefined;
  if (challenge.scheme === 'basic') {
    const cred = (await ctx.credentials(scopeRepository(scope))).credential;
    return cred?.username !== undefined ? basicHeader(cred.username, cred.password ?? '') : undefined;
  }
  if (challenge.scheme !== 'bearer') {
    throw new PortcullisError(
      'REGISTRY_PROTOCOL',
      `${ctx.registry} asks for "${challenge.scheme}" authentication, which is not supported (only basic and bearer)`,
    );
  }
  const lookup = await ctx.credentials(scopeRepository(scope));
  if (lookup.bearer) return `Bearer ${lookup.bearer}`;
  const key = tokenKey(ctx, challenge, scope, lookup);
  return `Bearer ${await ctx.cache.getOrFetch(key, () => fetchToken(ctx, challenge, scope))}`;
}

/**
 * Whose token it is: a digest of the credential it was issued for (the cache never holds the
 * secret itself), or "anonymous".
 */
function credentialIdentity(lookup: CredentialLookup): string {
  const cred = lookup.credential;
  if (!cred) return 'anonymous';
  const parts = [cred.username ?? null, cred.password ?? null, cred.token ?? null];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function tokenKey(ctx: AuthContext, challenge: Challenge, scope: string, lookup: CredentialLookup): string {
  return `${credentialIdentity(lookup)}|${ctx.registry}|${challenge.params.service ?? ''}|${scope}`;
}

/** Forgets the cached token for `scope`, after the registry refused it. */
export async function forgetToken(
  ctx: AuthContext,
  challenge: Challenge | undefined,
  scope: string,
): Promise<void> {
  if (challenge?.scheme === 'bearer')
    ctx.cache.delete(tokenKey(ctx, challenge, scope, await ctx.credentials(scopeRepository(scope))));
}
