/**
 * The web UI (ADR 0013, ADR 0016): server-rendered pages mounted at `/` by buildApp, same origin
 * as /v1. One stylesheet and htmx, served from the npm package; a strict content-security policy.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { ServiceStore } from '../store/repositories/index.js';
import { PortfolioRepository } from '../store/repositories/portfolio.js';
import { UiSessionRepository } from '../store/repositories/ui-sessions.js';
import type { InternalHeaders } from './api-client.js';
import { loginRoutes } from './login.js';
import { registerPages } from './pages/index.js';
import { UiRouter } from './router.js';
import { DEFAULT_SESSION_TTL_MS, type SessionSettings } from './session.js';
import { STYLESHEET } from './style.js';

export interface UiOptions {
  /** Mark cookies Secure (and `__Host-`): set when the service speaks TLS. */
  secureCookies: boolean;
  sessionTtlMs?: number;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const require = createRequire(import.meta.url);

async function htmxAssets(): Promise<{ plain: Buffer; gzip: Buffer }> {
  const dir = require.resolve('htmx.org/dist/htmx.min.js').replace(/htmx\.min\.js$/, '');
  const [plain, gzip] = await Promise.all([readFile(`${dir}htmx.min.js`), readFile(`${dir}htmx.min.js.gz`)]);
  return { plain, gzip };
}

export async function uiPlugin(
  app: FastifyInstance,
  options: UiOptions & { store: ServiceStore; internalHeaders: InternalHeaders; root: FastifyInstance },
): Promise<void> {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 2 * 1024 * 1024 });
  const settings: SessionSettings = {
    secure: options.secureCookies,
    ttlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
  };
  const sessions = new UiSessionRepository(options.store.db);
  app.addHook('onSend', async (_request, reply, payload) => {
    // A page the UI passes on from the API (the HTML report) keeps the API's own policy.
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  const htmx = await htmxAssets();
  const css = Buffer.from(STYLESHEET);
  const asset = { public: true };
  app.get('/ui/static/htmx.min.js', { config: asset, schema: { hide: true } }, async (request, reply) => {
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400');
    reply.header('vary', 'accept-encoding');
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')))
      return reply.header('content-encoding', 'gzip').send(htmx.gzip);
    return reply.send(htmx.plain);
  });
  app.get('/ui/static/app.css', { config: asset, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(css),
  );

  const deps = {
    app,
    root: options.root,
    store: options.store,
    sessions,
    portfolio: new PortfolioRepository(options.store.db),
    settings,
    internalHeaders: options.internalHeaders,
  };
  const router = new UiRouter(deps);
  loginRoutes(app, router, deps);
  registerPages(router);
}
