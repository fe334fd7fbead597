/**
 * A registry that accepts the connection and never answers. Regression: nothing was said for
 * the whole timeout (60 s by default). Now the wait is reported while it lasts, naming host and
 * request, and the timeout error says which host stayed silent on which request.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOpenOptions } from '../../../../../test/conformance/options.js';
import { openImage } from '../../open.js';
import { RegistryClients } from './clients.js';
import { describeRegistryWait, type RegistryWait } from '../../options.js';
import { Transport } from './transport.js';

let server: Server;
let host = '';
const sockets = new Set<Socket>();
const local = await localOpenOptions();

beforeAll(async () => {
  // Accepts, reads whatever is sent, and never writes a byte back.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  host = `127.0.0.1:${address.port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  await local.cleanup();
});

function registryOptions(waits: RegistryWait[]) {
  return {
    ...local.options.env.registry,
    insecureHosts: [host],
    timeoutMs: 1_500,
    retries: 0,
    waitNoticeMs: 200,
    onWait: (w: RegistryWait) => void waits.push(w),
  };
}

describe('a registry that accepts connections and never answers', () => {
  it('the transport reports the wait (host, request) and times out naming both', async () => {
    const waits: RegistryWait[] = [];
    const transport = new Transport(registryOptions(waits));
    try {
      const what = 'manifest of registry:app:1';
      const err = await transport
        .send({ method: 'GET', url: new URL(`http://${host}/v2/app/manifests/1`), what })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'TIMEOUT',
        message: `${what}: http://${host} accepted the connection but sent no response within 1.5 s (UND_ERR_HEADERS_TIMEOUT); raise --timeout if it is only slow`,
        details: { host, request: what },
      });
      // Notices while it waits (due at 200, 400 and 800 ms), each naming the host and request.
      expect(waits.length).toBeGreaterThan(0);
      for (const w of waits) expect([w.host, w.what, w.timeoutMs]).toEqual([host, what, 1_500]);
      expect(describeRegistryWait(waits[0] as RegistryWait)).toMatch(
        new RegExp(
          `^still waiting for ${host} to answer the ${what} request \\(.* so far; giving up after 1\\.5 s`,
        ),
      );
    } finally {
      await transport.close();
    }
  });

  it('opening an image from it fails with the request that stalled, after saying so', async () => {
    const waits: RegistryWait[] = [];
    const registry = registryOptions(waits);
    const clients = new RegistryClients(registry);
    const env = { ...local.options.env, registry, clients };
    const err = await openImage(`${host}/app:1`, env, local.options.request)
      .catch((e: unknown) => e)
      .finally(() => clients.close());
    expect(err).toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining(`http://${host} accepted the connection`),
    });
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]?.host).toBe(host);
    expect((err as Error).message.startsWith(waits[0]?.what ?? '?')).toBe(true);
  });

  it('without an observer the request still fails with the precise timeout', async () => {
    const transport = new Transport({ ...registryOptions([]), onWait: undefined });
    try {
      await expect(
        transport.send({
          method: 'GET',
          url: new URL(`http://${host}/v2/`),
          what: 'API check of registry x',
        }),
      ).rejects.toMatchObject({ code: 'TIMEOUT', details: { host, request: 'API check of registry x' } });
    } finally {
      await transport.close();
    }
  });
});
