import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFailure, testOpenOptions } from '../../archive/test-support/helpers.js';
import { parseDockerHost } from './engine-api.js';
import { type TestImageOptions } from '../../test-support/image-options.js';

let work: string;
let options: TestImageOptions;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-docker-daemon-'));
  options = testOpenOptions(work);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('docker back-end without a daemon', () => {
  it('parses unix and tcp DOCKER_HOST forms', () => {
    expect(parseDockerHost('unix:///run/docker.sock')).toEqual({ socketPath: '/run/docker.sock' });
    expect(parseDockerHost('/run/docker.sock')).toEqual({ socketPath: '/run/docker.sock' });
    expect(parseDockerHost('tcp://127.0.0.1:2376')).toEqual({ host: '127.0.0.1', port: 2376 });
  });

  it('names the socket when no daemon listens there', async () => {
    const socket = join(work, 'no-daemon.sock');
    const err = await openFailure('docker:alpine:3', {
      ...options,
      env: { ...options.env, dockerHost: `unix://${socket}` },
    });
    expect(err.code).toBe('DOCKER_DAEMON');
    expect(err.message).toContain(socket);
  });

  it('names the address when a tcp daemon is unreachable, and leaves nothing in the temp dir', async () => {
    const host = `tcp://127.0.0.1:${await closedPort()}`;
    const err = await openFailure('docker:alpine:3', {
      ...options,
      env: { ...options.env, dockerHost: host },
    });
    expect(err.code).toBe('DOCKER_DAEMON');
    expect(err.message).toContain(host);
    expect(await readdir(work)).toEqual([]);
  });
});
