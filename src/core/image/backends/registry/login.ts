/**
 * Checks a username and password against a registry the way `docker login` does, with the
 * process's registry options (trusted CAs, timeouts) and only this one credential.
 */
import type { RegistryOptions } from '../../options.js';
import { registryClient } from './index.js';

export interface RegistryLoginCheck {
  registry: string;
  username: string;
  password: string;
  /** false: skip TLS verification and allow plain HTTP for this registry. */
  verifyTls: boolean;
}

export async function checkRegistryLogin(base: RegistryOptions, login: RegistryLoginCheck): Promise<void> {
  // A fresh options object: a client (and its token cache) that serves this check only.
  const options: RegistryOptions = {
    ...base,
    credentials: { [login.registry]: { username: login.username, password: login.password } },
    insecureHosts: login.verifyTls ? base.insecureHosts : [...base.insecureHosts, login.registry],
    dockerConfigDir: undefined,
  };
  await registryClient(login.registry, options).checkLogin();
}
