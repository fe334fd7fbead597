/**
 * A real HTTPS server on 127.0.0.1 acting as the Kubernetes API server for the endpoints the
 * webhook's in-cluster reader uses: LIST, GET, WATCH (newline-delimited events from a
 * resourceVersion, `410 Gone` once that version is compacted away) of cluster-scoped
 * collections, and POST/PATCH of namespaced objects. It checks the bearer token and writes a
 * service-account directory (token, ca.crt) that the reader is pointed at.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestPki } from '../../../../test/harness/registry/certs.js';

type K8s = Record<string, unknown> & { metadata: Record<string, unknown> };
interface Event {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: K8s;
}
interface Collection {
  items: Map<string, K8s>;
  events: Event[];
  /** Watches from a version below this answer 410 Gone. */
  compactedBelow: number;
  watchers: Set<(event: Event | 'gone') => void>;
}

export const FAKE_TOKEN = 'portcullis-test-service-account-token';

export class FakeKubernetesApi {
  readonly requests: string[] = [];
  /** Namespaced objects written by the client, by path. */
  readonly written = new Map<string, K8s>();
  /** Answer writes with this status instead (e.g. 500). */
  failWrites: number | undefined;
  private readonly collections = new Map<string, Collection>();
  private rv = 100;
  private server: Server | undefined;
  url = '';

  constructor(private readonly pki: TestPki) {}

  /** Starts the server and writes `dir/token` and `dir/ca.crt`. */
  async start(dir: string): Promise<{ tokenFile: string; caFile: string; apiUrl: string }> {
    const [cert, key] = await Promise.all([
      readFile(this.pki.serverCertFile),
      readFile(this.pki.serverKeyFile),
    ]);
    this.server = createServer({ cert, key }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    this.url = `https://127.0.0.1:${address.port}`;
    await writeFile(join(dir, 'token'), `${FAKE_TOKEN}\n`);
    await writeFile(join(dir, 'ca.crt'), this.pki.caPem);
    return { tokenFile: join(dir, 'token'), caFile: join(dir, 'ca.crt'), apiUrl: this.url };
  }

  async stop(): Promise<void> {
    for (const c of this.collections.values()) for (const w of c.watchers) w('gone');
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private collection(path: string): Collection {
    let c = this.collections.get(path);
    if (!c) {
      c = { items: new Map(), events: [], compactedBelow: 0, watchers: new Set() };
      this.collections.set(path, c);
    }
    return c;
  }

  /** Adds or replaces an object of a cluster-scoped collection (an ADDED or MODIFIED event). */
  put(path: string, object: Record<string, unknown>): void {
    const c = this.collection(path);
    const meta = { ...(object['metadata'] as Record<string, unknown>) };
    const name = String(meta['name']);
    const type = c.items.has(name) ? 'MODIFIED' : 'ADDED';
    meta['resourceVersion'] = String(++this.rv);
    const stored = { ...object, metadata: meta } as K8s;
    c.items.set(name, stored);
    this.publish(c, { rv: this.rv, type, object: stored });
  }

  remove(path: string, name: string): void {
    const c = this.collection(path);
    const object = c.items.get(name);
    if (!object) return;
    c.items.delete(name);
    const rv = ++this.rv;
    this.publish(c, {
      rv,
      type: 'DELETED',
      object: { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } },
    });
  }

  /**
   * Forgets the history: open watches get an ERROR event with code 410 and end, and a watch
   * from any version seen so far answers 410 Gone, so the client must list again.
   */
  compact(path: string): void {
    const c = this.collection(path);
    c.compactedBelow = ++this.rv;
    c.events = [];
    for (const w of [...c.watchers]) w('gone');
  }

  /** How many LIST requests a collection has had. */
  lists(path: string): number {
    return this.requests.filter((r) => r === `GET ${path}`).length;
  }

  private publish(c: Collection, event: Event): void {
    c.events.push(event);
    for (const w of c.watchers) w(event);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(`${req.method} ${url.pathname}${url.searchParams.get('watch') ? '?watch' : ''}`);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) =>
      send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
    if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`)
      return status(401, 'Unauthorized', 'Unauthorized');
    if (req.method === 'POST' || req.method === 'PATCH') return this.write(req, url.pathname, send, status);
    const c = this.collections.get(url.pathname);
    if (c && url.searchParams.get('watch') === 'true') return this.watch(c, url, req, res, status);
    if (c) {
      const items = [...c.items.values()];
      return send(200, {
        kind: 'List',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }
    const at = url.pathname.lastIndexOf('/');
    const object = this.collections
      .get(url.pathname.slice(0, at))
      ?.items.get(decodeURIComponent(url.pathname.slice(at + 1)));
    return object ? send(200, object) : status(404, 'NotFound', `${url.pathname} not found`);
  }

  private watch(
    c: Collection,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    status: (code: number, reason: string, message: string) => void,
  ): void {
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    if (from < c.compactedBelow) return status(410, 'Expired', `too old resource version: ${from}`);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const line = (value: unknown): boolean => res.write(`${JSON.stringify(value)}\n`);
    const watcher = (event: Event | 'gone'): void => {
      if (event === 'gone') {
        line({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'Expired',
            code: 410,
            message: 'too old resource version',
          },
        });
        c.watchers.delete(watcher);
        res.end();
      } else line({ type: event.type, object: event.object });
    };
    for (const event of c.events) if (event.rv > from) watcher(event);
    c.watchers.add(watcher);
    req.on('close', () => c.watchers.delete(watcher));
  }

  private async write(
    req: IncomingMessage,
    path: string,
    send: (status: number, body: unknown) => void,
    status: (code: number, reason: string, message: string) => void,
  ): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    if (this.failWrites) return status(this.failWrites, 'InternalError', 'writes refused by the test');
    const body = JSON.parse(text) as K8s;
    if (req.method === 'POST') {
      const key = `${path}/${String(body.metadata['name'])}`;
      if (this.written.has(key)) return status(409, 'AlreadyExists', `${key} already exists`);
      this.written.set(key, body);
      return send(201, body);
    }
    const existing = this.written.get(path);
    if (!existing) return status(404, 'NotFound', `${path} not found`);
    if (req.headers['content-type'] !== 'application/merge-patch+json')
      return status(415, 'UnsupportedMediaType', 'merge patch only');
    const spec = { ...(existing['spec'] as object), ...(body['spec'] as object) } as Record<string, unknown>;
    for (const [k, v] of Object.entries(spec)) if (v === null) delete spec[k];
    this.written.set(path, { ...existing, spec });
    return send(200, this.written.get(path));
  }
}
