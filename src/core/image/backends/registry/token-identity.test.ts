/**
 * One token cache shared by two accounts (a service's pool): each account's request carries a
 * token issued for its own credential, never the other's, and an anonymous request never gets
 * either. The token service is a local HTTP server that issues a token naming the user it
 * authenticated and records every request; the client side is the real transport and auth.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryCredential } from '../../options.js';
import { authorizationFor, TokenCache, type AuthContext } from './auth.js';
import { Transport } from './transport.js';
import type { Challenge } from './www-authenticate.js';

let server: Server;
let realm: string;
const requests: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.headers.authorization);
    const basic = req.headers.authorization?.replace(/^Basic /, '');
    const user = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':')[0] : 'anonymous';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: `token-of-${user}-${requests.length}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a token cache shared by accounts', () => {
  it('never hands one credential’s token to a request made with another or with none', async () => {
    const transport = new Transport({
      insecureHosts: ['*'],
      extraCaPem: [],
      timeoutMs: 10_000,
      retries: 0,
    });
    const cache = new TokenCache();
    const context = (credential: RegistryCredential | undefined): AuthContext => ({
      registry: 'registry.example:5000',
      transport,
      cache,
      credentials: async () => (credential ? { credential, source: 'test' } : {}),
      insecure: () => true,
    });
    const challenge: Challenge = { scheme: 'bearer', params: { realm, service: 'registry' } };
    const scope = 'repository:team/app:pull';
    const alice = context({ username: 'alice', password: 'a-secret' });
    const bob = context({ username: 'bob', password: 'b-secret' });
    const anonymous = context(undefined);
    try {
      const forAlice = await authorizationFor(alice, challenge, scope);
      const forBob = await authorizationFor(bob, challenge, scope);
      const forNobody = await authorizationFor(anonymous, challenge, scope);
      expect(forAlice).toMatch(/^Bearer token-of-alice-/);
      expect(forBob).toMatch(/^Bearer token-of-bob-/);
      expect(forNobody).toMatch(/^Bearer token-of-anonymous-/);
      // Each is reused for its own account only: no new token request.
      expect(await authorizationFor(alice, challenge, scope)).toBe(forAlice);
      expect(await authorizationFor(bob, challenge, scope)).toBe(forBob);
      expect(requests).toHaveLength(3);
      // The same user with another password is another credential: its own token.
      const aliceRotated = context({ username: 'alice', password: 'new-secret' });
      expect(await authorizationFor(aliceRotated, challenge, scope)).not.toBe(forAlice);
      expect(requests).toHaveLength(4);
    } finally {
      await transport.close();
    }
  });
});
