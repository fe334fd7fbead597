/**
 * The one place that reads the environment. Options are declared once here, resolved from
 * flags > environment > defaults into a frozen config, and passed down; library code never
 * reads process.env.
 */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { PortcullisError } from '../core/errors.js';
import {
  DEFAULT_BLOB_CONCURRENCY,
  DEFAULT_LIMITS,
  describeRegistryWait,
  type ImageRequest,
  type ImageSettings,
  type RegistryCredential,
  type RegistryWait,
} from '../core/image/options.js';
import { hostPlatform, parsePlatform } from '../core/image/platform.js';
import { Keychain } from '../core/image/backends/registry/keychain.js';
import { parseSize } from '../core/cache/size.js';

export interface GlobalFlags {
  cacheDir?: string;
  platform?: string;
  allPlatforms?: boolean;
  insecure?: boolean;
  caFile?: string[];
  username?: string;
  password?: string;
  timeout?: string;
  blobConcurrency?: string;
  cacheMaxSize?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function defaultCacheDir(env: Env = process.env): string {
  if (env.PORTCULLIS_CACHE_DIR) return env.PORTCULLIS_CACHE_DIR;
  const xdg = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(xdg, 'portcullis');
}

/**
 * Default bound of the blob + layer caches: 10 GiB. Unlimited was the old behaviour and fills
 * CI disks; 10 GiB keeps the layers and results of dozens of typical images (so re-scans and
 * shared base layers stay cached) while staying a small share of a CI runner's disk. The
 * vulnerability database is not counted and never pruned.
 */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 2 ** 30;

/**
 * Bytes the caches are pruned down to after each analysis: --cache-max-size >
 * PORTCULLIS_CACHE_MAX_SIZE > 10 GiB; `unlimited` turns automatic pruning off (undefined).
 */
export function resolveCacheMaxBytes(flags: GlobalFlags, env: Env = process.env): number | undefined {
  const text = flags.cacheMaxSize ?? env.PORTCULLIS_CACHE_MAX_SIZE;
  if (text === undefined || text === '') return DEFAULT_CACHE_MAX_BYTES;
  if (text.trim().toLowerCase() === 'unlimited') return undefined;
  return parseSize(text, '--cache-max-size');
}

/** PostgreSQL URL of the vulnerability database: --db-url > PORTCULLIS_DB_URL; undefined = embedded. */
export function resolveDatabaseUrl(flags: { dbUrl?: string }, env: Env = process.env): string | undefined {
  return flags.dbUrl || env.PORTCULLIS_DB_URL || undefined;
}

export function dockerConfigDir(env: Env = process.env): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new PortcullisError('CONFIG_INVALID', `cannot read CA file ${file}`, { cause: err });
  }
}

/**
 * Credentials given by flag/env, bound to the registry host of the image named on the command
 * line; without such an image (a local source) they apply nowhere.
 */
function explicitCredentials(
  flags: GlobalFlags,
  env: Env,
  host: string | undefined,
): Record<string, RegistryCredential> {
  const username = flags.username ?? env.PORTCULLIS_REGISTRY_USERNAME;
  const password = flags.password ?? env.PORTCULLIS_REGISTRY_PASSWORD;
  const token = env.PORTCULLIS_REGISTRY_TOKEN;
  if (!host || (!username && !password && !token)) return {};
  const cred: RegistryCredential = {};
  if (username) cred.username = username;
  if (password) cred.password = password;
  if (token) cred.token = token;
  return { [host]: cred };
}

/** Layer blobs downloaded at once from a registry: --blob-concurrency > PORTCULLIS_BLOB_CONCURRENCY > 3. */
function blobConcurrency(flags: GlobalFlags, env: Env): number {
  const text = flags.blobConcurrency ?? env.PORTCULLIS_BLOB_CONCURRENCY;
  if (text === undefined || text === '') return DEFAULT_BLOB_CONCURRENCY;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 32) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      `--blob-concurrency must be a whole number from 1 to 32, got "${text}"`,
    );
  }
  return n;
}

/**
 * The image options of a run: the process's settings (the root adds the client pool, see
 * ImageEnvironment) and the request's platform and temp dir.
 */
export interface ResolvedImageOptions {
  settings: ImageSettings;
  request: ImageRequest;
}

export function resolveImageOptions(
  flags: GlobalFlags,
  env: Env = process.env,
  tempDir?: string,
  /** Registry host of the image named on the command line: where --username/--password go. */
  credentialHost?: string,
  /** Where to say that a registry is slow to answer (one line each); absent = silent. */
  warn?: (line: string) => void,
): ResolvedImageOptions {
  const timeoutMs = flags.timeout ? Number(flags.timeout) * 1000 : 60_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      `--timeout must be a positive number of seconds, got "${flags.timeout}"`,
    );
  }
  const caFiles = [...(flags.caFile ?? [])];
  if (env.NODE_EXTRA_CA_CERTS) caFiles.push(env.NODE_EXTRA_CA_CERTS);
  const request: ImageRequest = {
    platform: flags.platform ? parsePlatform(flags.platform) : hostPlatform(),
    platformRequested: Boolean(flags.platform),
    allPlatforms: Boolean(flags.allPlatforms),
    tempDir: tempDir ?? tmpdir(),
  };
  const settings: ImageSettings = {
    cacheDir: flags.cacheDir ?? defaultCacheDir(env),
    keychain: Keychain.fromKeys(
      explicitCredentials(flags, env, credentialHost),
      '--username/--password (or PORTCULLIS_REGISTRY_*)',
      dockerConfigDir(env),
    ),
    registry: {
      insecureHosts: flags.insecure ? ['*'] : [],
      extraCaPem: caFiles.map(readCa),
      timeoutMs,
      retries: 4,
      blobConcurrency: blobConcurrency(flags, env),
      ...(warn ? { onWait: (wait: RegistryWait) => warn(describeRegistryWait(wait)) } : {}),
    },
    dockerHost: env.DOCKER_HOST || 'unix:///var/run/docker.sock',
    limits: { ...DEFAULT_LIMITS },
  };
  return { settings: Object.freeze(settings), request: Object.freeze(request) };
}
