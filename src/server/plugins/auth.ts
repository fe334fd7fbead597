/**
 * Authentication (HTTP basic against scrypt hashes, or a bearer API token) and account scope:
 * every request acts in the caller's account, or, for an admin, in the one `x-anchore-account`
 * names. Routes marked `config: { public: true }` skip both.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Account } from '../../store/repositories/accounts.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import type { User } from '../../store/repositories/users.js';
import { ApiError } from '../errors.js';
import { SingleFlight } from '../single-flight.js';

export interface Principal {
  user: User;
  account: Account;
  /** `session`: an in-process call of the web UI on behalf of its logged-in user. */
  via: 'password' | 'token' | 'session';
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The account this request acts in. */
    accountName: string;
  }
  interface FastifyContextConfig {
    public?: boolean;
    /** Only admin accounts may call it. */
    admin?: boolean;
    /** Authenticated by an adapter's own scheme (Harbor's bearer token), not by this plugin. */
    adapterAuth?: 'harbor';
  }
}

/**
 * scrypt is deliberately slow; a verified (user, password) pair is remembered briefly so a
 * busy client does not pay it on every request. A password change takes effect within the TTL.
 */
class VerifiedCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();
  constructor(private readonly ttlMs: number) {}
  key(user: string, password: string) {
    return createHash('sha256').update(`${user}\0${password}`).digest('hex');
  }
  get(key: string): Principal | undefined {
    const e = this.entries.get(key);
    if (e && e.until > Date.now()) return e.principal;
    this.entries.delete(key);
    return undefined;
  }
  set(key: string, principal: Principal) {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { principal, until: Date.now() + this.ttlMs });
  }
}

const UNAUTHORIZED = () => new ApiError(401, 'Unauthorized');

/** Headers of an in-process call (`app.inject`) made by the web UI for its session's user. */
export const INTERNAL_KEY_HEADER = 'x-portcullis-internal';
export const INTERNAL_USER_HEADER = 'x-portcullis-user';

/**
 * The web UI calls /v1 in-process as its session's user. The key is random per process and
 * never leaves it, so no client can present it; the user is read afresh like any other.
 */
async function authenticateInternal(
  store: ServiceStore,
  key: Buffer,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const given = request.headers[INTERNAL_KEY_HEADER];
  if (given === undefined) return undefined;
  const presented = Buffer.from(typeof given === 'string' ? given : '');
  if (presented.length !== key.length || !timingSafeEqual(presented, key)) throw UNAUTHORIZED();
  const [accountName = '', username = ''] = String(request.headers[INTERNAL_USER_HEADER] ?? '').split('/', 2);
  const user = await store.users.get(accountName, username);
  const account = user && (await store.accounts.get(accountName));
  if (!user || !account) throw UNAUTHORIZED();
  return { user, account, via: 'session' };
}

/** The caller, with its account's state read in this request (never from the cache). */
type Freshness = Awaited<ReturnType<ServiceStore['users']['freshness']>>;

async function authenticate(
  store: ServiceStore,
  cache: VerifiedCache,
  fresh: SingleFlight<Freshness>,
  header: string | undefined,
): Promise<{ principal: Principal; accountState: Account['state'] }> {
  if (!header) throw UNAUTHORIZED();
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') {
    const found = await store.tokens.authenticate(value.trim());
    if (!found) throw UNAUTHORIZED();
    return {
      principal: { user: found.user, account: found.account, via: 'token' },
      accountState: found.account.state,
    };
  }
  if (scheme?.toLowerCase() !== 'basic') throw UNAUTHORIZED();
  const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw UNAUTHORIZED();
  const [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  const key = cache.key(username, password);
  const cached = cache.get(key);
  // A changed password (or a deleted user) updates the row: the cached pair is then void.
  const current =
    cached &&
    (await fresh.run(`${cached.user.accountName}\0${cached.user.username}`, () =>
      store.users.freshness(cached.user.accountName, cached.user.username),
    ));
  if (cached && current && current.lastUpdated.getTime() === cached.user.lastUpdated.getTime())
    return { principal: cached, accountState: current.accountState };
  const found = await store.users.authenticate(username, password);
  if (!found) throw UNAUTHORIZED();
  const principal: Principal = { ...found, via: 'password' };
  cache.set(key, principal);
  return { principal, accountState: found.account.state };
}

async function scope(
  store: ServiceStore,
  request: FastifyRequest,
  principal: Principal,
  state: Account['state'],
): Promise<string> {
  if (state !== 'enabled') throw new ApiError(401, `account ${principal.account.name} is ${state}`);
  const wanted = request.headers['x-anchore-account'];
  if (typeof wanted !== 'string' || wanted === '' || wanted === principal.account.name)
    return principal.account.name;
  if (principal.account.type !== 'admin')
    throw new ApiError(403, 'only an admin account may act in another account (x-anchore-account)');
  const target = await store.accounts.get(wanted);
  if (!target) throw new ApiError(404, `account ${wanted} not found`);
  return target.name;
}

export function installAuth(
  app: FastifyInstance,
  store: ServiceStore,
  options: { cacheTtlMs?: number; internalKey?: string } = {},
): void {
  const cache = new VerifiedCache(options.cacheTtlMs ?? 10_000);
  const internalKey = options.internalKey === undefined ? undefined : Buffer.from(options.internalKey);
  const fresh = new SingleFlight<Freshness>();
  app.decorateRequest('principal', null);
  app.decorateRequest('accountName', '');
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Adapter routes (Harbor's /api/v1) check their own credentials.
    if (config.public || config.adapterAuth || request.routeOptions.url === undefined) return;
    const internal = internalKey && (await authenticateInternal(store, internalKey, request));
    const { principal, accountState } = internal
      ? { principal: internal, accountState: internal.account.state }
      : await authenticate(store, cache, fresh, request.headers.authorization);
    request.principal = principal;
    request.accountName = await scope(store, request, principal, accountState);
    if (config.admin && principal.account.type !== 'admin')
      throw new ApiError(403, 'this operation needs an admin account');
  });
}
