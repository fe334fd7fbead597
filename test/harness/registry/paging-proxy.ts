/**
 * A TLS proxy on 127.0.0.1 in front of a real `tls-basic` or `token` test registry that pages
 * `GET /v2/<name>/tags/list` the way the OCI distribution spec says (`n`, `last`, a
 * `Link: <…>; rel="next"` header), with at most `pageCap` tags per page whatever `n` asks.
 * Debian's docker-registry 2.8 ignores `n` for tags and always answers with one page; this lets
 * tests see a real repository (its auth, its tags) as a registry that pages does. Everything
 * else (pushes included) is forwarded as is, `Location` headers rewritten to the proxy.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { makeTestPki } from './certs.js';
import type { TestRegistry } from './start-registry.js';

export interface PagingProxy {
  /** The proxy as a registry: its host, its CA, the upstream's credentials. */
  registry: TestRegistry;
  /** Tag-list pages served (for assertions that paging happened). */
  pagesServed: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);
const TAGS_LIST = /^\/v2\/(.+)\/tags\/list$/;

export async function startPagingProxy(upstream: TestRegistry, pageCap: number): Promise<PagingProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'pc-paging-proxy-'));
  const pki = await makeTestPki(join(dir, 'pki'));
  const certDir = join(dir, 'certs');
  await mkdir(certDir);
  await copyFile(pki.caCertFile, join(certDir, 'ca.crt'));
  const dispatcher = new Agent({ connect: { ca: upstream.caPem } });
  const proxy: PagingProxy = {
    registry: { ...upstream, host: '', caPem: pki.caPem, certDir, stop: () => proxy.close() },
    pagesServed: 0,
    close: async () => undefined,
  };
  const server: Server = createServer(
    { cert: await readFile(pki.serverCertFile), key: await readFile(pki.serverKeyFile) },
    (req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://proxy');
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers))
          if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
        const list = req.method === 'GET' ? TAGS_LIST.exec(url.pathname) : null;
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
        const up = await request(`https://${upstream.host}${list ? url.pathname : (req.url ?? '/')}`, {
          method: req.method as 'GET',
          headers,
          ...(hasBody ? { body: req } : {}),
          dispatcher,
        });
        const out: Record<string, string> = {};
        for (const [name, value] of Object.entries(up.headers))
          if (!HOP_BY_HOP.has(name) && typeof value === 'string')
            out[name] = name === 'location' ? value.split(upstream.host).join(proxy.registry.host) : value;
        if (!list || up.statusCode !== 200) {
          res.writeHead(up.statusCode, out);
          for await (const chunk of up.body) res.write(chunk);
          return res.end();
        }
        const all = ((await up.body.json()) as { name: string; tags: string[] | null }).tags ?? [];
        const sorted = [...all].sort();
        const last = url.searchParams.get('last');
        const asked = Number(url.searchParams.get('n') ?? sorted.length);
        const n = Math.max(1, Math.min(pageCap, Number.isFinite(asked) ? asked : pageCap));
        const rest = last === null ? sorted : sorted.filter((t) => t > last);
        const page = rest.slice(0, n);
        proxy.pagesServed++;
        if (rest.length > n) {
          const next = `/v2/${list[1]}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}`;
          out.link = `<${next}>; rel="next"`;
        }
        out['content-type'] = 'application/json';
        res.writeHead(200, out).end(JSON.stringify({ name: list[1], tags: page }));
      })().catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(err));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.registry.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.close();
    await rm(dir, { recursive: true, force: true });
  };
  return proxy;
}
