import { join } from 'node:path';
import { isPortcullisError, type PortcullisError } from '../../../errors.js';
import { openImage } from '../../open.js';
import { DEFAULT_LIMITS, type OpenOptions } from '../../options.js';

/** OpenOptions for local back-end tests whose temp and cache dirs live under `work`. */
export function testOpenOptions(work: string): OpenOptions {
  return {
    platform: { os: 'linux', architecture: 'amd64' },
    allPlatforms: false,
    cacheDir: join(work, 'cache'),
    tempDir: work,
    registry: {
      insecureHosts: [],
      extraCaPem: [],
      credentials: {},
      dockerConfigDir: undefined,
      timeoutMs: 5000,
      retries: 0,
    },
    dockerHost: 'unix:///nonexistent/docker.sock',
    limits: { ...DEFAULT_LIMITS },
  };
}

/** Opens `source` and reads every layer; returns the PortcullisError that must occur on the way. */
export async function openFailure(source: string, options: OpenOptions): Promise<PortcullisError> {
  let err: unknown;
  try {
    const image = await openImage(source, options);
    for (const layer of await image.layers()) for await (const _ of await layer.uncompressed());
  } catch (e) {
    err = e;
  }
  if (!isPortcullisError(err))
    throw new Error(`expected a PortcullisError from ${source}, got ${String(err)}`);
  return err;
}
