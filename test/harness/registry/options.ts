/** Image options for reading from a test registry, with a private cache dir per call. */
import type { ImageRequest, RegistryCredential, RegistryOptions } from '../../../src/core/image/options.js';
import {
  testImageOptions,
  type TestImageOptions,
} from '../../../src/core/image/test-support/image-options.js';
import type { TestRegistry } from './start-registry.js';

export interface RegistryTestOverrides extends Partial<RegistryOptions> {
  /** Keychain keys and credentials instead of the registry's own user. */
  credentials?: Record<string, RegistryCredential>;
  dockerConfigDir?: string;
}

export function registryOpenOptions(
  registry: Pick<TestRegistry, 'host' | 'mode' | 'caPem' | 'username' | 'password'>,
  cacheDir: string,
  overrides: RegistryTestOverrides = {},
  platform: ImageRequest['platform'] = { os: 'linux', architecture: 'amd64' },
): TestImageOptions {
  const { credentials, dockerConfigDir, ...transport } = overrides;
  return testImageOptions({
    cacheDir,
    registry: {
      insecureHosts: registry.mode === 'plain' ? ['*'] : [],
      extraCaPem: registry.caPem ? [registry.caPem] : [],
      timeoutMs: 10_000,
      retries: 2,
      ...transport,
    },
    credentials:
      credentials ??
      (registry.username
        ? { [registry.host]: { username: registry.username, password: registry.password } }
        : {}),
    ...(dockerConfigDir ? { dockerConfigDir } : {}),
    request: { platform },
  });
}
