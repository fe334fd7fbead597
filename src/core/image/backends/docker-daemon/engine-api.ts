/**
 * The few Docker Engine API calls we need, over node:http on the daemon's unix socket (or
 * tcp://host:port). Errors name the daemon endpoint so "is docker running?" is answerable.
 */
import { createWriteStream } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { PortcullisError } from '../../../errors.js';
import { readAll } from '../../partial.js';

interface Endpoint {
  socketPath?: string;
  host?: string;
  port?: number;
}

export function parseDockerHost(dockerHost: string): Endpoint {
  if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return { socketPath: dockerHost.replace(/^unix:\/\//, '') };
}

function get(dockerHost: string, path: string, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ ...parseDockerHost(dockerHost), path, method: 'GET', timeout: timeoutMs }, resolve);
    req.on('timeout', () =>
      req.destroy(
        new PortcullisError('TIMEOUT', `Docker daemon at ${dockerHost} did not answer ${path} in time`),
      ),
    );
    req.on('error', (err) =>
      reject(
        err instanceof PortcullisError
          ? err
          : new PortcullisError(
              'DOCKER_DAEMON',
              `cannot reach the Docker daemon at ${dockerHost}: ${err.message}`,
              {
                cause: err,
                details: { dockerHost },
              },
            ),
      ),
    );
    req.end();
  });
}

async function failure(res: IncomingMessage, what: string, dockerHost: string): Promise<PortcullisError> {
  const body = await readAll(res, 64 * 1024, what).catch(() => Buffer.alloc(0));
  let message = body.toString('utf8').trim();
  try {
    message = (JSON.parse(message) as { message?: string }).message ?? message;
  } catch {
    // Not JSON: keep the text as the daemon sent it.
  }
  return new PortcullisError(
    res.statusCode === 404 ? 'NOT_FOUND' : 'DOCKER_DAEMON',
    `${what}: Docker daemon at ${dockerHost} answered ${res.statusCode}: ${message.slice(0, 500)}`,
    { details: { status: res.statusCode, dockerHost } },
  );
}

/** `GET /images/{name}/json`: the image's inspect document (proves it exists). */
export async function inspectImage(
  dockerHost: string,
  name: string,
  what: string,
  timeoutMs: number,
): Promise<unknown> {
  const res = await get(dockerHost, `/images/${encodeURIComponent(name)}/json`, timeoutMs);
  if (res.statusCode !== 200) throw await failure(res, what, dockerHost);
  const body = await readAll(res, 4 * 1024 * 1024, `${what}: inspect`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PortcullisError(
      'DOCKER_DAEMON',
      `${what}: Docker daemon sent an inspect answer that is not JSON`,
      {
        cause: err,
      },
    );
  }
}

class ByteLimit extends Transform {
  private bytes = 0;
  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      done(new PortcullisError('SIZE_LIMIT', `${this.what}: image export exceeds ${this.limit} bytes`));
      return;
    }
    done(null, chunk);
  }
}

/** `GET /images/{name}/get`: the `docker save` tar, streamed into `file`. */
export async function saveImage(
  dockerHost: string,
  name: string,
  file: string,
  what: string,
  options: { timeoutMs: number; maxBytes: number },
): Promise<void> {
  const res = await get(dockerHost, `/images/${encodeURIComponent(name)}/get`, options.timeoutMs);
  if (res.statusCode !== 200) throw await failure(res, what, dockerHost);
  await pipeline(res, new ByteLimit(options.maxBytes, what), createWriteStream(file, { mode: 0o600 }));
}
