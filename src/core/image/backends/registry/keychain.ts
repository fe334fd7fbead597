/**
 * The per-host keychain: which credential goes with a request to `host` for `repository`.
 * An entry names one registry host and, optionally, a repository prefix
 * (`registry.example.com/team-a/` applies to `team-a/...` only); the most specific entry
 * wins, then docker's config.json (host-wide, like docker). A credential is only ever handed
 * out for the host it was given for: there is no wildcard, and a request to any other host
 * (a redirect, a second registry the image names) gets nothing from it.
 */
import type { RegistryCredential } from '../../options.js';
import {
  lookupDockerConfig,
  readDockerConfig,
  sameRegistry,
  type CredentialLookup,
  type DockerConfig,
} from './credentials.js';

/** One credential and where it applies. Plain data: it crosses process boundaries (IPC). */
export interface KeychainEntry {
  /** Registry host as the reference parser normalizes it ("docker.io", "127.0.0.1:5000"). */
  registry: string;
  /** Repository path prefix, whole components ("team-a" covers "team-a/app"); "" = the whole host. */
  repositoryPrefix: string;
  credential: RegistryCredential;
  /** Where it came from, for messages ("--username/--password", "registry login of account x"). */
  source: string;
}

export interface KeychainInit {
  entries?: readonly KeychainEntry[];
  /** Directory holding docker's config.json, consulted after the entries; undefined = none. */
  dockerConfigDir?: string | undefined;
}

function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** Whether `prefix` (whole path components) covers `repository`. */
export function coversRepository(prefix: string, repository: string): boolean {
  return prefix === '' || repository === prefix || repository.startsWith(`${prefix}/`);
}

/**
 * "registry.example.com/team-a/" → { registry: "registry.example.com", repositoryPrefix: "team-a" };
 * a bare host covers the whole registry.
 */
export function parseKeychainKey(key: string): { registry: string; repositoryPrefix: string } {
  const slash = key.indexOf('/');
  const host = (slash === -1 ? key : key.slice(0, slash)).toLowerCase();
  return { registry: host, repositoryPrefix: slash === -1 ? '' : normalizePrefix(key.slice(slash + 1)) };
}

export class Keychain {
  static readonly empty = new Keychain({});

  /** Entries keyed "host" or "host/repository-prefix/", all from one source. */
  static fromKeys(
    credentials: Readonly<Record<string, RegistryCredential>>,
    source: string,
    dockerConfigDir?: string,
  ): Keychain {
    const entries = Object.entries(credentials).map(([key, credential]) => ({
      ...parseKeychainKey(key),
      credential,
      source,
    }));
    return new Keychain({ entries, dockerConfigDir });
  }

  readonly entries: readonly KeychainEntry[];
  readonly dockerConfigDir: string | undefined;
  private dockerConfig: Promise<{ config: DockerConfig; file: string } | undefined> | undefined;

  constructor(init: KeychainInit) {
    this.entries = Object.freeze(
      (init.entries ?? []).map((e) =>
        Object.freeze({
          ...e,
          registry: e.registry.toLowerCase(),
          repositoryPrefix: normalizePrefix(e.repositoryPrefix),
        }),
      ),
    );
    this.dockerConfigDir = init.dockerConfigDir;
  }

  /** The plain form (entries and docker config dir) to rebuild this keychain in another process. */
  toInit(): KeychainInit {
    return { entries: this.entries.map((e) => ({ ...e })), dockerConfigDir: this.dockerConfigDir };
  }

  /** The credential for `repository` on `registry`: the most specific entry, else docker config. */
  async resolve(registry: string, repository: string): Promise<CredentialLookup> {
    const best = this.entries
      .filter((e) => sameRegistry(e.registry, registry) && coversRepository(e.repositoryPrefix, repository))
      .sort((a, b) => b.repositoryPrefix.length - a.repositoryPrefix.length)[0];
    if (best?.credential.bearer !== undefined) return { bearer: best.credential.bearer, source: best.source };
    if (best) return { credential: best.credential, source: best.source };
    if (!this.dockerConfigDir) return {};
    this.dockerConfig ??= readDockerConfig(this.dockerConfigDir).catch((err: unknown) => {
      this.dockerConfig = undefined;
      throw err;
    });
    const found = await this.dockerConfig;
    return found ? lookupDockerConfig(found.config, registry, found.file) : {};
  }
}
