/**
 * A tiny token server for docker-registry's `auth: token:` mode (the distribution token
 * spec): checks basic credentials (GET) or a refresh token (OAuth2 POST), and answers with
 * an RS256 JWT carrying the harness certificate in `x5c`, which the registry verifies
 * against its `rootcertbundle`. It counts requests so tests can check token caching.
 */
import { X509Certificate, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './certs.js';

export interface TokenIssuer {
  realm: string;
  service: string;
  issuer: string;
  /** A refresh token accepted by the OAuth2 POST flow (docker config `identitytoken`). */
  identityToken: string;
  /** Number of token requests answered so far (any outcome). */
  readonly requests: number;
  close(): Promise<void>;
}

export interface TokenIssuerInit {
  pki: TestPki;
  username: string;
  password: string;
  service: string;
  issuer: string;
  expiresInS?: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function parseScopes(scopes: string[]): Array<{ type: string; name: string; actions: string[] }> {
  return scopes
    .flatMap((s) => s.split(' '))
    .filter(Boolean)
    .map((scope) => {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      return {
        type: scope.slice(0, first),
        name: scope.slice(first + 1, last),
        actions: scope.slice(last + 1).split(','),
      };
    });
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTokenIssuer(init: TokenIssuerInit): Promise<TokenIssuer> {
  const key = createPrivateKey(await readFile(init.pki.tokenKeyFile));
  const x5c = new X509Certificate(await readFile(init.pki.tokenCertFile)).raw.toString('base64');
  const identityToken = `harness-refresh-${randomUUID()}`;
  const expiresIn = init.expiresInS ?? 300;
  let requests = 0;

  const jwt = (subject: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [x5c] };
    const claims = {
      iss: init.issuer,
      sub: subject,
      aud: init.service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: parseScopes(scopes),
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), key))}`;
  };

  const answer = (res: ServerResponse, status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };

  const server = createServer(
    { cert: await readFile(init.pki.serverCertFile), key: await readFile(init.pki.serverKeyFile) },
    (req, res) => {
      requests++;
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        if (url.pathname !== '/token') return answer(res, 404, { error: 'not found' });
        let subject: string | undefined;
        let scopes = url.searchParams.getAll('scope');
        if (req.method === 'POST') {
          const form = new URLSearchParams(await body(req));
          scopes = form.getAll('scope');
          const ok =
            (form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === identityToken) ||
            (form.get('grant_type') === 'password' &&
              form.get('username') === init.username &&
              form.get('password') === init.password);
          if (ok) subject = form.get('username') ?? init.username;
        } else {
          const auth = req.headers.authorization ?? '';
          const decoded = auth.startsWith('Basic ')
            ? Buffer.from(auth.slice(6), 'base64').toString('utf8')
            : '';
          if (decoded === `${init.username}:${init.password}`) subject = init.username;
        }
        if (!subject)
          return answer(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
        const token = jwt(subject, scopes);
        return answer(res, 200, {
          token,
          access_token: token,
          expires_in: expiresIn,
          issued_at: new Date().toISOString(),
        });
      })().catch(() => answer(res, 500, { error: 'issuer failure' }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `https://127.0.0.1:${port}/token`,
    service: init.service,
    issuer: init.issuer,
    identityToken,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
