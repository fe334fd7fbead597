/**
 * A real webhook receiver on 127.0.0.1 for tests: it can refuse connections (not listening),
 * answer 500, hang until the sender times out, redirect, or accept. Accepted deliveries are
 * kept with their headers and verified against the Standard Webhooks spec with node:crypto
 * directly. Like a receiver set up for Anchore Engine, it can demand HTTP basic auth (401
 * otherwise), and it can listen on HTTPS with a given certificate.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'refuse' | 'error' | 'hang' | 'accept' | 'redirect';

export interface ReceiverOptions {
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The request's path and query, as a receiver routes on it. */
  path: string;
}

export class TestReceiver {
  /** Deliveries answered 2xx, in arrival order. */
  readonly accepted: Received[] = [];
  /** Requests answered 401 for missing or wrong basic auth credentials. */
  readonly unauthorized: Received[] = [];
  /** Every request that reached the server, whatever it was answered. */
  requests = 0;
  private server: Server | undefined;
  private mode: ReceiverMode = 'refuse';
  private credentials: string | undefined;
  private redirectTo = '';

  private constructor(
    readonly port: number,
    private readonly options: ReceiverOptions,
  ) {}

  /** A receiver on a free port, not listening yet (mode `refuse`). */
  static async create(options: ReceiverOptions = {}): Promise<TestReceiver> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new TestReceiver(port, options);
  }

  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/hook`;
  }

  /** From now on, answer 401 unless the request brings exactly these basic auth credentials. */
  requireBasicAuth(user: string, password: string): void {
    // Decoded here from the header, as a receiver does (not with the sender's encoder).
    this.credentials = `${user}:${password}`;
  }

  /** Mode `redirect` answers 307 to this URL. */
  redirectsTo(url: string): void {
    this.redirectTo = url;
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.credentials === undefined) return true;
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    return match !== null && Buffer.from(match[1]!, 'base64').toString('utf8') === this.credentials;
  }

  async setMode(mode: ReceiverMode): Promise<void> {
    this.mode = mode;
    if (mode === 'refuse') return this.stopListening();
    if (this.server) return;
    const handle = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests += 1;
        if (this.mode === 'hang') return; // the sender's timeout ends it
        if (this.mode === 'error') {
          res.writeHead(500).end('down for maintenance');
          return;
        }
        const received = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          path: req.url ?? '',
        };
        if (!this.authorized(req)) {
          this.unauthorized.push(received);
          res.writeHead(401, { 'www-authenticate': 'Basic realm="anchore-receiver"' }).end();
          return;
        }
        if (this.mode === 'redirect') {
          res.writeHead(307, { location: this.redirectTo }).end();
          return;
        }
        this.accepted.push(received);
        res.writeHead(204).end();
      });
    };
    const server = this.options.tls ? createHttpsServer(this.options.tls, handle) : createServer(handle);
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The `user:password` a delivery's basic auth header carries, decoded as a receiver does. */
export const basicAuthOf = (received: Received): string =>
  Buffer.from(String(received.headers.authorization).replace(/^Basic /, ''), 'base64').toString('utf8');

/** Standard Webhooks verification, written from the spec (not with the code under test). */
export function verifyStandardWebhook(secret: string, received: Received): boolean {
  const id = String(received.headers['webhook-id']);
  const timestamp = String(received.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${received.body}`).digest();
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature = ''] = entry.split(',');
      const given = Buffer.from(signature, 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** Waits for a condition the system under test reaches on its own (no timing assertion). */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  what: string,
  limitMs = 60_000,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
