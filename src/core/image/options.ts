import type { RegistryClients } from './backends/registry/clients.js';
import type { Keychain } from './backends/registry/keychain.js';
import type { Platform } from './types.js';

export interface RegistryCredential {
  username?: string;
  password?: string;
  /** A pre-issued bearer/identity token (docker config `identitytoken` or `registrytoken`). */
  token?: string;
  /**
   * A registry bearer token sent as it is (`Authorization: Bearer <bearer>`), like docker's
   * `registrytoken`: Harbor hands scanners one for a pull.
   */
  bearer?: string;
}

/** Registry transport settings (no credentials: those are the keychain's). */
export interface RegistryOptions {
  /** Skip TLS verification and allow plain HTTP, for these hosts only ("*" = all). */
  insecureHosts: readonly string[];
  /** Extra PEM CA certificates trusted in addition to the system store. */
  extraCaPem: readonly string[];
  timeoutMs: number;
  retries: number;
  /**
   * Blobs of one image downloaded at the same time into the blob cache, ahead of the layer
   * being read; 1 = one after another. Default DEFAULT_BLOB_CONCURRENCY.
   */
  blobConcurrency?: number;
  /**
   * Told when a registry request has had no response for `waitNoticeMs` (then again at each
   * doubling of the wait), so a registry that accepts connections and never answers is not
   * silent until the timeout. Absent = nobody is told.
   */
  onWait?: (wait: RegistryWait) => void;
  /** First notice after this many ms without a response; default DEFAULT_WAIT_NOTICE_MS. */
  waitNoticeMs?: number;
}

/** A registry request still waiting for its response. */
export interface RegistryWait {
  /** `host:port` of the registry or token service. */
  host: string;
  /** The request, as messages name it: "token for …", "manifest of …", "blob sha256:… of …". */
  what: string;
  waitedMs: number;
  /** When the request gives up (the configured timeout). */
  timeoutMs: number;
}

export const DEFAULT_WAIT_NOTICE_MS = 5_000;

/** One line for a user: which host, which request, how long, until when. */
export function describeRegistryWait(wait: RegistryWait): string {
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return `still waiting for ${wait.host} to answer the ${wait.what} request (${seconds(wait.waitedMs)} so far; giving up after ${seconds(wait.timeoutMs)}, see --timeout)`;
}

export const DEFAULT_BLOB_CONCURRENCY = 3;

/**
 * Process-scoped image options: made once by a composition root (CLI run, service process,
 * bench), shared by every request it serves, and closed by it on shutdown (`clients.close()`).
 */
export interface ImageEnvironment {
  /** Root of everything cached (blobs, layer results); deleting it is always safe. */
  cacheDir: string;
  /** Registry transport settings: trusted CAs, insecure hosts, timeouts, retries, concurrency. */
  registry: RegistryOptions;
  /** The registry connection pools and token cache, made from `registry` by the root. */
  clients: RegistryClients;
  /** The process's credentials (CLI flags, docker config); a request may bring its own. */
  keychain: Keychain;
  /** Docker Engine API endpoint: unix socket path or tcp://host:port. */
  dockerHost: string;
  /** Hard limits that protect against hostile inputs. */
  limits: ImageLimits;
}

/** An environment before its root has made the client pool (what config resolves). */
export type ImageSettings = Omit<ImageEnvironment, 'clients'>;

/** Whose registry access a request uses, when not the environment's (a service account's logins). */
export interface RegistryAccess {
  keychain: Keychain;
  /** Registries reached without TLS verification for this request (logins with verifyTls off). */
  insecureHosts: readonly string[];
}

/** Request-scoped image options: one open or analysis. */
export interface ImageRequest {
  /** Platform wanted from a multi-platform index. */
  platform: Platform;
  /**
   * The user asked for `platform` (--platform) rather than getting the host's default: a
   * single-platform image of another platform is then an error, not silently analysed.
   */
  platformRequested?: boolean;
  /** Return every child of an index instead of picking one. */
  allPlatforms: boolean;
  /** Private scratch directory for unavoidable spills; removed by the caller afterwards. */
  tempDir: string;
  /**
   * Aborting it stops downloads, decompression and layer reads; the open or read rejects
   * with ABORTED.
   */
  signal?: AbortSignal;
  /** Credentials for this request instead of the environment's keychain. */
  access?: RegistryAccess;
}

export interface ImageLimits {
  /** Largest manifest/config/index document accepted, in bytes. */
  maxManifestBytes: number;
  /** Largest uncompressed layer accepted, in bytes (gzip-bomb guard). */
  maxLayerBytes: number;
  /** Largest compression ratio accepted once a layer is past 1 MiB uncompressed. */
  maxCompressionRatio: number;
  /** Largest number of tar entries in one layer. */
  maxEntriesPerLayer: number;
}

export const DEFAULT_LIMITS: ImageLimits = Object.freeze({
  maxManifestBytes: 4 * 1024 * 1024,
  maxLayerBytes: 16 * 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
  maxEntriesPerLayer: 2_000_000,
});
