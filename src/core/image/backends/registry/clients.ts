/**
 * The registry client pool, owned by a composition root (a CLI run, the service process, a
 * bench) and closed by it on shutdown: one set of connection pools (verifying TLS and not)
 * and one token cache for the whole process. Clients are kept per keychain (so each
 * account's credentials are its own) and per registry; the token cache is keyed by
 * credential identity, so sharing it between accounts never hands one account's token to
 * another.
 */
import type { RegistryAccess, RegistryOptions } from '../../options.js';
import { TokenCache } from './auth.js';
import { RegistryClient } from './client.js';
import type { Keychain } from './keychain.js';
import { isInsecureHost, Transport, TransportAgents } from './transport.js';

export class RegistryClients {
  private readonly agents: TransportAgents;
  private readonly tokens = new TokenCache();
  private readonly byKeychain = new WeakMap<Keychain, Map<string, RegistryClient>>();
  private closed = false;

  constructor(readonly options: RegistryOptions) {
    this.agents = new TransportAgents(options);
  }

  /** The client for `registry` with this access (created once, then reused). */
  client(registry: string, access: RegistryAccess): RegistryClient {
    if (this.closed) throw new Error('the registry client pool is closed');
    let clients = this.byKeychain.get(access.keychain);
    if (!clients) {
      clients = new Map();
      this.byKeychain.set(access.keychain, clients);
    }
    const extra = access.insecureHosts.filter((h) => !this.options.insecureHosts.includes(h));
    const key = `${registry}|${[...extra].sort().join(',')}`;
    let client = clients.get(key);
    if (!client) {
      const options = extra.length
        ? { ...this.options, insecureHosts: [...this.options.insecureHosts, ...extra] }
        : this.options;
      const transport = new Transport(options, this.agents);
      client = new RegistryClient(registry, transport, options, {
        registry,
        transport,
        cache: this.tokens,
        credentials: (repository) => access.keychain.resolve(registry, repository),
        insecure: (host) => isInsecureHost(options, host),
      });
      clients.set(key, client);
    }
    return client;
  }

  /** Closes the connection pools; idle sockets never keep the process alive afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.agents.close();
  }
}
