/**
 * Checks a username and password against a registry the way `docker login` does, with the
 * process's registry options (trusted CAs, timeouts) and only this one credential.
 */
import type { RegistryClients } from './clients.js';
import { Keychain } from './keychain.js';

export interface RegistryLoginCheck {
  registry: string;
  username: string;
  password: string;
  /** false: skip TLS verification and allow plain HTTP for this registry. */
  verifyTls: boolean;
}

export async function checkRegistryLogin(clients: RegistryClients, login: RegistryLoginCheck): Promise<void> {
  // A keychain of its own: a client that serves this check only, with this credential only.
  const keychain = new Keychain({
    entries: [
      {
        registry: login.registry,
        repositoryPrefix: '',
        credential: { username: login.username, password: login.password },
        source: 'the registry login being checked',
      },
    ],
  });
  await clients
    .client(login.registry, { keychain, insecureHosts: login.verifyTls ? [] : [login.registry] })
    .checkLogin();
}
