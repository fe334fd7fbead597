/**
 * An account's registry logins as a request's registry access, and the plain form of the image
 * environment and request that crosses to the analysis child process over IPC (the client
 * pool and keychain are objects of this process; the child makes its own from plain entries).
 */
import { RegistryClients } from '../core/image/backends/registry/clients.js';
import { Keychain, parseKeychainKey, type KeychainInit } from '../core/image/backends/registry/keychain.js';
import type {
  ImageEnvironment,
  ImageRequest,
  ImageSettings,
  RegistryAccess,
  RegistryOptions,
} from '../core/image/options.js';
import type { RegistryLogin } from '../worker/analyze.js';

/**
 * Each login for its own host (and repository prefix, when the account saved one such as
 * `registry.example.com/team-a`), never a wildcard; logins with TLS verification off make
 * their host insecure for this request only.
 */
export function accountAccess(logins: readonly RegistryLogin[], account?: string): RegistryAccess {
  const source = account ? `the registry login of account ${account}` : 'the account registry login';
  const keychain = new Keychain({
    entries: logins.map((login) => ({
      ...parseKeychainKey(login.registry),
      credential:
        login.bearer !== undefined
          ? { bearer: login.bearer }
          : { username: login.username, password: login.password },
      source,
    })),
  });
  const insecureHosts = logins.filter((l) => !l.verifyTls).map((l) => parseKeychainKey(l.registry).registry);
  return { keychain, insecureHosts };
}

/** The environment without its objects: settings a child process can rebuild it from. */
export interface PlainEnvironment extends Omit<ImageSettings, 'keychain' | 'registry'> {
  registry: Omit<RegistryOptions, 'onWait'>;
  keychain: KeychainInit;
}

export interface PlainRequest extends Omit<ImageRequest, 'signal' | 'access'> {
  access?: { keychain: KeychainInit; insecureHosts: readonly string[] };
}

export function plainEnvironment(env: ImageEnvironment): PlainEnvironment {
  const { onWait: _onWait, ...registry } = env.registry;
  return {
    cacheDir: env.cacheDir,
    registry,
    keychain: env.keychain.toInit(),
    dockerHost: env.dockerHost,
    limits: env.limits,
  };
}

export function plainRequest(request: ImageRequest): PlainRequest {
  const { signal: _signal, access, ...rest } = request;
  return {
    ...rest,
    ...(access
      ? { access: { keychain: access.keychain.toInit(), insecureHosts: access.insecureHosts } }
      : {}),
  };
}

/** Rebuilds an environment (with a pool the caller closes) from its plain form. */
export function environmentFrom(plain: PlainEnvironment): ImageEnvironment {
  return {
    ...plain,
    keychain: new Keychain(plain.keychain),
    clients: new RegistryClients(plain.registry),
  };
}

export function requestFrom(plain: PlainRequest): ImageRequest {
  const { access, ...rest } = plain;
  return {
    ...rest,
    ...(access
      ? { access: { keychain: new Keychain(access.keychain), insecureHosts: access.insecureHosts } }
      : {}),
  };
}
