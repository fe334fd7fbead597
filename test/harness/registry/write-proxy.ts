/**
 * A plain-HTTP proxy on 127.0.0.1 that forwards every request, bodies included and streamed,
 * to a `plain` test registry, and refuses the requests `refuse` picks (a registry that takes
 * uploads no more, or a quota). `stop()`/`start()` play a destination that goes down and
 * comes back on the same port. Upload Locations are rewritten to go through the proxy.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WriteProxy {
  host: string;
  /** Answer with this status instead of forwarding (undefined = forward). */
  refuse: ((req: IncomingMessage) => number | undefined) | undefined;
  /** Requests seen, "METHOD path". */
  seen: string[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startWriteProxy(upstreamHost: string): Promise<WriteProxy> {
  let server: Server | undefined;
  let port = 0;
  const proxy: WriteProxy = {
    host: '',
    refuse: undefined,
    seen: [],
    stop: async () => {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start: async () => {
      const s = createServer((req, res) => {
        proxy.seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
        const status = proxy.refuse?.(req);
        if (status !== undefined) {
          req.resume();
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end('{"errors":[{"code":"DENIED","message":"refused by the test proxy"}]}');
          return;
        }
        const [upHost, upPort] = upstreamHost.split(':');
        const up = httpRequest(
          { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers },
          (upRes) => {
            const headers = { ...upRes.headers };
            if (typeof headers.location === 'string')
              headers.location = headers.location.replace(`//${upstreamHost}`, `//${proxy.host}`);
            res.writeHead(upRes.statusCode ?? 502, headers);
            upRes.pipe(res);
          },
        );
        up.on('error', (err) => {
          if (!res.headersSent) res.writeHead(502);
          res.end(String(err));
        });
        req.pipe(up);
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      port = (s.address() as AddressInfo).port;
      proxy.host = `127.0.0.1:${port}`;
      server = s;
    },
  };
  await proxy.start();
  return proxy;
}
