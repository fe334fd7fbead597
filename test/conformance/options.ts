import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type OpenOptions } from '../../src/core/image/options.js';
import type { Platform } from '../../src/core/image/types.js';

/** OpenOptions for local back-ends with a private temp dir; `cleanup` removes it. */
export async function localOpenOptions(
  overrides: Partial<OpenOptions> = {},
  platform: Platform = { os: 'linux', architecture: 'amd64' },
): Promise<{ options: OpenOptions; tempDir: string; cleanup: () => Promise<void> }> {
  const tempDir = await mkdtemp(join(tmpdir(), 'pc-local-'));
  const options: OpenOptions = {
    platform,
    allPlatforms: false,
    cacheDir: join(tempDir, 'cache'),
    tempDir,
    registry: {
      insecureHosts: [],
      extraCaPem: [],
      credentials: {},
      dockerConfigDir: undefined,
      timeoutMs: 60_000,
      retries: 0,
    },
    dockerHost: 'unix:///nonexistent/docker.sock',
    limits: { ...DEFAULT_LIMITS },
    ...overrides,
  };
  return { options, tempDir, cleanup: () => rm(tempDir, { recursive: true, force: true }) };
}
