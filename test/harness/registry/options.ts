/** OpenOptions for reading from a test registry, with a private cache dir per call. */
import { tmpdir } from 'node:os';
import { DEFAULT_LIMITS, type OpenOptions, type RegistryOptions } from '../../../src/core/image/options.js';
import type { TestRegistry } from './start-registry.js';

export function registryOpenOptions(
  registry: Pick<TestRegistry, 'host' | 'mode' | 'caPem' | 'username' | 'password'>,
  cacheDir: string,
  overrides: Partial<RegistryOptions> = {},
  platform: OpenOptions['platform'] = { os: 'linux', architecture: 'amd64' },
): OpenOptions {
  return {
    platform,
    allPlatforms: false,
    cacheDir,
    tempDir: tmpdir(),
    registry: {
      insecureHosts: registry.mode === 'plain' ? ['*'] : [],
      extraCaPem: registry.caPem ? [registry.caPem] : [],
      credentials: registry.username
        ? { [registry.host]: { username: registry.username, password: registry.password } }
        : {},
      dockerConfigDir: undefined,
      timeoutMs: 10_000,
      retries: 2,
      ...overrides,
    },
    dockerHost: 'unix:///nonexistent.sock',
    limits: { ...DEFAULT_LIMITS },
  };
}
