/**
 * Image options for tests: an environment (with its own client pool, closed by the test or
 * left to the worker's end) and a request, built from the plain parts tests vary.
 */
import { tmpdir } from 'node:os';
import { RegistryClients } from '../backends/registry/clients.js';
import { Keychain } from '../backends/registry/keychain.js';
import {
  DEFAULT_LIMITS,
  type ImageEnvironment,
  type ImageRequest,
  type ImageSettings,
  type RegistryCredential,
  type RegistryOptions,
} from '../options.js';

export interface TestImageOptions {
  env: ImageEnvironment;
  request: ImageRequest;
}

export interface TestImageParts {
  cacheDir: string;
  tempDir?: string;
  registry?: Partial<RegistryOptions>;
  /** Keychain keys ("host" or "host/prefix") and their credentials. */
  credentials?: Record<string, RegistryCredential>;
  dockerConfigDir?: string;
  request?: Partial<ImageRequest>;
  env?: Partial<Omit<ImageEnvironment, 'clients' | 'keychain' | 'registry'>>;
}

/** The environment of `settings` with a pool of its own. */
export function withClients(settings: ImageSettings): ImageEnvironment {
  return { ...settings, clients: new RegistryClients(settings.registry) };
}

/** Resolved options (config's `resolveImageOptions`) as an environment and request. */
export function fromResolved(resolved: { settings: ImageSettings; request: ImageRequest }): TestImageOptions {
  return { env: withClients(resolved.settings), request: resolved.request };
}

export function testImageOptions(parts: TestImageParts): TestImageOptions {
  const registry: RegistryOptions = {
    insecureHosts: [],
    extraCaPem: [],
    timeoutMs: 10_000,
    retries: 0,
    ...parts.registry,
  };
  return {
    env: withClients({
      cacheDir: parts.cacheDir,
      registry,
      keychain: Keychain.fromKeys(parts.credentials ?? {}, 'test credentials', parts.dockerConfigDir),
      dockerHost: 'unix:///nonexistent/docker.sock',
      limits: { ...DEFAULT_LIMITS },
      ...parts.env,
    }),
    request: {
      platform: { os: 'linux', architecture: 'amd64' },
      allPlatforms: false,
      tempDir: parts.tempDir ?? tmpdir(),
      ...parts.request,
    },
  };
}

/** What cataloging reads of test image options. */
export function catalogRead(options: TestImageOptions): {
  limits: ImageEnvironment['limits'];
  tempDir: string;
} {
  return { limits: options.env.limits, tempDir: options.request.tempDir };
}

/** The (environment, request) arguments of `openImage` and friends, with request overrides. */
export function pair(
  options: TestImageOptions,
  request: Partial<ImageRequest> = {},
): [ImageEnvironment, ImageRequest] {
  return [options.env, { ...options.request, ...request }];
}

/** The `environment` and `image` fields of a pipeline request. */
export function imageParts(options: TestImageOptions): {
  environment: ImageEnvironment;
  image: ImageRequest;
} {
  return { environment: options.env, image: options.request };
}

/** The environment of `options` talking to another Docker daemon. */
export function withDockerHost(
  options: TestImageOptions,
  dockerHost: string,
): [ImageEnvironment, ImageRequest] {
  return [{ ...options.env, dockerHost }, options.request];
}
