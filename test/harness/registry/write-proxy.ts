/**
 * A plain-HTTP proxy on 127.0.0.1 that forwards every request, bodies included and streamed,
 * to a `plain` test registry, and refuses the requests `refuse` picks (a registry that takes
 * uploads no more, or a quota). `stop()`/`start()` play a destination that goes down and
 * comes back on the same port. Upload Locations are rewritten to go through the proxy.
 * It counts the blob bytes clients send, and `cutUploadAfter` drops the client's connection
 * once, part-way through a chunk (PATCH), the way a front proxy that buffers request bodies
 * (nginx's default) loses it: nothing of that request reaches the registry.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WriteProxy {
  host: string;
  /** Answer with this status instead of forwarding (undefined = forward). */
  refuse: ((req: IncomingMessage) => number | undefined) | undefined;
  /** Requests seen, "METHOD path". */
  seen: string[];
  /** Body bytes received in blob upload requests (PATCH/PUT under /blobs/uploads/). */
  uploadBytes: number;
  /** Drop the connection of the PATCH under way once `uploadBytes` reaches this (then unset). */
  cutUploadAfter: number | undefined;
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
    uploadBytes: 0,
    cutUploadAfter: undefined,
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
        const upload =
          (req.method === 'PATCH' || req.method === 'PUT') && req.url?.includes('/blobs/uploads/');
        if (upload)
          req.on('data', (chunk: Buffer) => {
            proxy.uploadBytes += chunk.length;
          });
        const cut = req.method === 'PATCH' && upload ? proxy.cutUploadAfter : undefined;
        if (cut !== undefined) {
          // Buffer the body; cut the client off part-way, before anything is forwarded.
          const parts: Buffer[] = [];
          req.on('data', (chunk: Buffer) => {
            parts.push(chunk);
            if (proxy.uploadBytes >= cut && proxy.cutUploadAfter !== undefined) {
              proxy.cutUploadAfter = undefined;
              req.socket.destroy();
            }
          });
          req.on('end', () => {
            if (!req.socket.destroyed) forward(req, res, Buffer.concat(parts));
          });
          return;
        }
        forward(req, res, undefined);
      });
      const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) => {
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
        if (body) up.end(body);
        else req.pipe(up);
      };
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      port = (s.address() as AddressInfo).port;
      proxy.host = `127.0.0.1:${port}`;
      server = s;
    },
  };
  await proxy.start();
  return proxy;
}
