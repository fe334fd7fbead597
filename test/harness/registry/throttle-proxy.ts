/**
 * A TCP proxy on 127.0.0.1 that caps every connection's download rate, as a remote registry
 * or CDN does per stream. On loopback a single connection is never the bottleneck, so this is
 * what makes the effect of fetching blobs in parallel visible in a benchmark.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface ThrottleProxy {
  host: string;
  close(): Promise<void>;
}

/** Forwards to `upstreamHost`, passing at most `bytesPerSecond` per connection towards the client. */
export async function startThrottleProxy(
  upstreamHost: string,
  bytesPerSecond: number,
): Promise<ThrottleProxy> {
  const [upstreamAddress, upstreamPort] = upstreamHost.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(upstreamPort), upstreamAddress ?? '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // Each chunk earns the time it takes at the capped rate before the next one is read.
    let due = Date.now();
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      due = Math.max(due, Date.now()) + (chunk.length / bytesPerSecond) * 1000;
      const wait = due - Date.now();
      if (wait > 1) {
        upstream.pause();
        setTimeout(() => upstream.resume(), wait);
      }
    });
    upstream.once('end', () => client.end());
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
