/**
 * A plain-HTTP server on 127.0.0.1 that puts the OCI 1.1 referrers API in front of a `plain`
 * docker-registry (which has none): every request is forwarded, and each manifest with a
 * `subject` stored through it is remembered, so `GET /v2/<name>/referrers/<digest>` answers
 * the image index of its referrers (artifactType and annotations as the spec asks) and the
 * manifest PUT answers `OCI-Subject`. Upload Locations are rewritten to go through it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const INDEX = 'application/vnd.oci.image.index.v1+json';

export interface ReferrerEntry {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ReferrersProxy {
  host: string;
  /** Referrers remembered, by "<name>@<subject digest>". */
  referrers: Map<string, ReferrerEntry[]>;
  /** Requests seen, "METHOD path". */
  seen: string[];
  close(): Promise<void>;
}

interface Pushed {
  subject?: { digest?: string };
  artifactType?: string;
  config?: { mediaType?: string };
  annotations?: Record<string, string>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

export async function startReferrersProxy(upstreamHost: string): Promise<ReferrersProxy> {
  const [upHost, upPort] = upstreamHost.split(':');
  const proxy: ReferrersProxy = { host: '', referrers: new Map(), seen: [], close: async () => undefined };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    onStored?: (d: string) => void,
  ) => {
    const up = httpRequest(
      { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        const headers = { ...upRes.headers };
        if (typeof headers.location === 'string')
          headers.location = headers.location.replace(`//${upstreamHost}`, `//${proxy.host}`);
        const stored = headers['docker-content-digest'];
        if (onStored && upRes.statusCode === 201 && typeof stored === 'string') onStored(stored);
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

  const server = createServer((req, res) => {
    const path = req.url ?? '';
    proxy.seen.push(`${req.method ?? ''} ${path}`);
    const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})(?:\?.*)?$/.exec(path);
    if (referrers && req.method === 'GET') {
      const manifests = proxy.referrers.get(`${referrers[1]}@${referrers[2]}`) ?? [];
      const body = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests });
      res.writeHead(200, { 'content-type': INDEX, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const manifest = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(path);
    if (!manifest || req.method !== 'PUT') {
      forward(req, res, undefined);
      return;
    }
    void readBody(req).then((body) => {
      let doc: Pushed = {};
      try {
        doc = JSON.parse(body.toString('utf8')) as Pushed;
      } catch {
        // not JSON: the registry will say so
      }
      const subject = doc.subject?.digest;
      if (subject) res.setHeader('oci-subject', subject);
      forward(req, res, body, (digest) => {
        if (!subject) return;
        const key = `${manifest[1]}@${subject}`;
        const list = proxy.referrers.get(key) ?? [];
        if (list.some((r) => r.digest === digest)) return;
        const artifactType = doc.artifactType ?? doc.config?.mediaType;
        list.push({
          mediaType: req.headers['content-type'] ?? '',
          digest,
          size: body.length,
          ...(artifactType ? { artifactType } : {}),
          ...(doc.annotations ? { annotations: doc.annotations } : {}),
        });
        proxy.referrers.set(key, list);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
