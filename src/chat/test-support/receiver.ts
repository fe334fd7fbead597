/** A real HTTP server on 127.0.0.1 that records the JSON posted to it (a chat tool's response_url). */
import { createServer, type Server } from 'node:http';

export interface Receiver {
  url: string;
  bodies: unknown[];
  /** Resolves once `count` bodies have arrived. */
  received(count: number): Promise<unknown[]>;
  close(): Promise<void>;
}

export async function startReceiver(status = 200): Promise<Receiver> {
  const bodies: unknown[] = [];
  const waiters: { count: number; resolve: (b: unknown[]) => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      res.writeHead(status).end();
      for (const w of waiters.filter((w) => bodies.length >= w.count)) w.resolve([...bodies]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/response`,
    bodies,
    received: (count) =>
      bodies.length >= count
        ? Promise.resolve([...bodies])
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
