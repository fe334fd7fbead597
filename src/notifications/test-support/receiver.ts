/**
 * A real webhook receiver on 127.0.0.1 for tests: it can refuse connections (not listening),
 * answer 500, hang until the sender times out, or accept. Accepted deliveries are kept with
 * their headers and verified against the Standard Webhooks spec with node:crypto directly.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'refuse' | 'error' | 'hang' | 'accept';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The request's path and query, as a receiver routes on it. */
  path: string;
}

export class TestReceiver {
  /** Deliveries answered 2xx, in arrival order. */
  readonly accepted: Received[] = [];
  /** Every request that reached the server, whatever it was answered. */
  requests = 0;
  private server: Server | undefined;
  private mode: ReceiverMode = 'refuse';

  private constructor(readonly port: number) {}

  /** A receiver on a free port, not listening yet (mode `refuse`). */
  static async create(): Promise<TestReceiver> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new TestReceiver(port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async setMode(mode: ReceiverMode): Promise<void> {
    this.mode = mode;
    if (mode === 'refuse') return this.stopListening();
    if (this.server) return;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests += 1;
        if (this.mode === 'hang') return; // the sender's timeout ends it
        if (this.mode === 'error') {
          res.writeHead(500).end('down for maintenance');
          return;
        }
        this.accepted.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          path: req.url ?? '',
        });
        res.writeHead(204).end();
      });
    });
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
