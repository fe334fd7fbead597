import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageEnvironment, ImageRequest } from '../../src/core/image/options.js';
import { testImageOptions, type TestImageOptions } from '../../src/core/image/test-support/image-options.js';
import type { Platform } from '../../src/core/image/types.js';

/** Image options for local back-ends with a private temp dir; `cleanup` removes it and closes the pool. */
export async function localOpenOptions(
  overrides: {
    env?: Partial<Omit<ImageEnvironment, 'clients' | 'keychain' | 'registry'>>;
    request?: Partial<ImageRequest>;
  } = {},
  platform: Platform = { os: 'linux', architecture: 'amd64' },
): Promise<{ options: TestImageOptions; tempDir: string; cleanup: () => Promise<void> }> {
  const tempDir = await mkdtemp(join(tmpdir(), 'pc-local-'));
  const options = testImageOptions({
    cacheDir: join(tempDir, 'cache'),
    tempDir,
    registry: { timeoutMs: 60_000 },
    ...(overrides.env ? { env: overrides.env } : {}),
    request: { platform, ...overrides.request },
  });
  return {
    options,
    tempDir,
    cleanup: async () => {
      await options.env.clients.close();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
