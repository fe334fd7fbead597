/**
 * A plain-HTTP proxy on 127.0.0.1 in front of a real (plain) test registry that injects the
 * faults a real registry will not produce on demand: 429/5xx/403, garbage bodies, altered
 * blobs, redirects, dropped connections, hangs. It records every request it sees, and can
 * demand basic auth itself so tests can check where the Authorization header goes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** The Range header, for resumed blob downloads. */
  range?: string | undefined;
}

export interface FaultContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** How many earlier requests (since `seen` was last emptied) had the same method and path. */
  repeat: number;
  /** Fetches the upstream answer (status, headers, whole body) for the current request. */
  upstream(): Promise<{ status: number; headers: Record<string, string>; body: Buffer }>;
}

/** Return true when the fault answered the request itself; false to proxy normally. */
export type Fault = (ctx: FaultContext) => Promise<boolean> | boolean;

export interface FaultProxy {
  host: string;
  seen: SeenRequest[];
  fault: Fault | undefined;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startFaultProxy(
  upstreamHost: string,
  basic?: { username: string; password: string },
): Promise<FaultProxy> {
  const proxy: FaultProxy = { host: '', seen: [], fault: undefined, close: async () => undefined };
  const expected = basic
    ? `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`
    : undefined;

  const server = createServer((req, res) => {
    // Counted from `seen`, so a test that empties `seen` also resets the repeats.
    const repeat = proxy.seen.filter((r) => r.method === req.method && r.path === req.url).length;
    proxy.seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      range: req.headers.range,
    });
    const upstream = async () => {
      const headers: Record<string, string> = {};
      if (req.headers.accept) headers.accept = req.headers.accept;
      // Read when called, so a fault can drop it first to play a server that ignores Range.
      if (req.headers.range) headers.range = req.headers.range;
      const up = await request(`http://${upstreamHost}${req.url}`, { method: req.method as 'GET', headers });
      const body = Buffer.from(await up.body.arrayBuffer());
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(up.headers)) {
        if (!HOP_BY_HOP.has(name) && typeof value === 'string') out[name] = value;
      }
      return { status: up.statusCode, headers: out, body };
    };
    void (async () => {
      // Faults come first, so a fault can also stand in for the auth handshake.
      if (proxy.fault && (await proxy.fault({ req, res, repeat, upstream }))) return;
      if (expected && req.headers.authorization !== expected) {
        res.writeHead(401, {
          'www-authenticate': 'Basic realm="fault-proxy"',
          'content-type': 'application/json',
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      const up = await upstream();
      res.writeHead(up.status, up.headers);
      res.end(req.method === 'HEAD' ? undefined : up.body);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
  });
  proxy.host = await listen(server);
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** A second plain server standing in for blob storage (S3, CDN) behind a redirect. */
export async function startBlobStore(
  blobs: Map<string, Buffer>,
): Promise<{ host: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    const blob = blobs.get(name);
    res.writeHead(blob ? 200 : 404, { 'content-type': 'application/octet-stream' });
    res.end(blob);
  });
  const host = await listen(server);
  return {
    host,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
