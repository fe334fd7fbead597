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
 * A verified login: scrypt is deliberately slow, so a verified (user, password) pair is
 * remembered for `ttlMs` (a password change takes effect at once, see `authenticate`). Besides,
 * `checked` is what the last check of the login's freshness (password unchanged, account state)
 * found, with the login-change count read before it and when it ran: while the count is
 * unchanged and the check is younger than the recheck interval, a request needs no query.
 */
interface Verified {
  principal: Principal;
  until: number;
  checked: { accountState: Account['state']; changes: number; at: number };
}

class VerifiedCache {
  private readonly entries = new Map<string, Verified>();
  constructor(private readonly ttlMs: number) {}
  key(user: string, password: string) {
    return createHash('sha256').update(`${user}\0${password}`).digest('hex');
  }
  get(key: string, now: number): Verified | undefined {
    const e = this.entries.get(key);
    if (e && e.until > now) return e;
    this.entries.delete(key);
    return undefined;
  }
  set(key: string, principal: Principal, checked: Verified['checked']) {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { principal, until: checked.at + this.ttlMs, checked });
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

/** The caller, with its account's state as last checked (see `VerifiedCache`). */
type Freshness = Awaited<ReturnType<ServiceStore['users']['freshness']>>;

interface LoginCheck {
  cache: VerifiedCache;
  fresh: SingleFlight<Freshness>;
  /** How long a freshness check stands while no login change happened in this process. */
  recheckMs: number;
}

async function authenticateBasic(
  store: ServiceStore,
  check: LoginCheck,
  value: string,
): Promise<{ principal: Principal; accountState: Account['state'] }> {
  const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw UNAUTHORIZED();
  const [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  const key = check.cache.key(username, password);
  // Read before any query: a login change committed while it runs makes the next request check again.
  const changes = store.loginChanges.current;
  const now = Date.now();
  const cached = check.cache.get(key, now);
  if (cached && cached.checked.changes === changes && now - cached.checked.at < check.recheckMs)
    return { principal: cached.principal, accountState: cached.checked.accountState };
  // A changed password (or a deleted user) updates the row: the cached pair is then void.
  const { user } = cached?.principal ?? {};
  const current =
    user &&
    (await check.fresh.run(`${changes}\0${user.accountName}\0${user.username}`, () =>
      store.users.freshness(user.accountName, user.username),
    ));
  if (cached && current && current.lastUpdated.getTime() === cached.principal.user.lastUpdated.getTime()) {
    cached.checked = { accountState: current.accountState, changes, at: now };
    return { principal: cached.principal, accountState: current.accountState };
  }
  const found = await store.users.authenticate(username, password);
  if (!found) throw UNAUTHORIZED();
  const principal: Principal = { ...found, via: 'password' };
  check.cache.set(key, principal, { accountState: found.account.state, changes, at: now });
  return { principal, accountState: found.account.state };
}

async function authenticate(
  store: ServiceStore,
  check: LoginCheck,
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
  return authenticateBasic(store, check, value);
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

/**
 * How long a login's freshness check stands when no login change happened in this process. The
 * embedded store is this process's alone (its data directory is locked), so every change passes
 * through `store.loginChanges`: no time bound is needed. On a PostgreSQL server another API
 * process may change a password or disable an account; this process sees it within this bound.
 */
export const LOGIN_RECHECK_MS = { pglite: Infinity, postgres: 1_000 } as const;

export function installAuth(
  app: FastifyInstance,
  store: ServiceStore,
  options: { cacheTtlMs?: number; internalKey?: string; recheckMs?: number } = {},
): void {
  const check: LoginCheck = {
    cache: new VerifiedCache(options.cacheTtlMs ?? 10_000),
    fresh: new SingleFlight<Freshness>(),
    recheckMs: options.recheckMs ?? LOGIN_RECHECK_MS[store.db.kind],
  };
  const internalKey = options.internalKey === undefined ? undefined : Buffer.from(options.internalKey);
  app.decorateRequest('principal', null);
  app.decorateRequest('accountName', '');
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Adapter routes (Harbor's /api/v1) check their own credentials.
    if (config.public || config.adapterAuth || request.routeOptions.url === undefined) return;
    const internal = internalKey && (await authenticateInternal(store, internalKey, request));
    const { principal, accountState } = internal
      ? { principal: internal, accountState: internal.account.state }
      : await authenticate(store, check, request.headers.authorization);
    request.principal = principal;
    request.accountName = await scope(store, request, principal, accountState);
    if (config.admin && principal.account.type !== 'admin')
      throw new ApiError(403, 'this operation needs an admin account');
  });
}
