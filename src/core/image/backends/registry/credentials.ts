/**
 * Docker's config.json for the keychain (`keychain.ts`): explicit entries win, then
 * this file (`auths` keyed by host or URL, base64 `auth`, `identitytoken`).
 * Credential helpers (`credsStore`, `credHelpers`) run external programs; we do not run
 * them and say so in a note that ends up in the "unauthorized" message.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PortcullisError } from '../../../errors.js';
import type { RegistryCredential } from '../../options.js';

export interface CredentialLookup {
  credential?: RegistryCredential;
  /** Where the credential came from, for messages ("--username/--password", "<file> auths[...]"). */
  source?: string;
  /** Why there may be none although the user has some configured. */
  note?: string;
  /** A registry token (docker config `registrytoken`): sent as the bearer token as it is. */
  bearer?: string;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

const authEntry = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});

const dockerConfig = z.looseObject({
  auths: z.record(z.string(), authEntry).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});
export type DockerConfig = z.infer<typeof dockerConfig>;

/** Docker Hub goes by several names in config files; all of them mean docker.io. */
const HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** "https://index.docker.io/v1/" → "index.docker.io", as docker's ConvertToHostname does. */
export function configKeyHost(key: string): string {
  const stripped = key.replace(/^https?:\/\//i, '');
  const slash = stripped.indexOf('/');
  return (slash === -1 ? stripped : stripped.slice(0, slash)).toLowerCase();
}

export function sameRegistry(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (HUB_ALIASES.includes(x) && HUB_ALIASES.includes(y));
}

function fromEntry(entry: z.infer<typeof authEntry>, where: string): RegistryCredential | undefined {
  const cred: RegistryCredential = {};
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new PortcullisError('CONFIG_INVALID', `${where}: "auth" is not base64 of "user:password"`);
    }
    cred.username = decoded.slice(0, colon);
    cred.password = decoded.slice(colon + 1);
  } else if (entry.username !== undefined && entry.password !== undefined) {
    cred.username = entry.username;
    cred.password = entry.password;
  }
  if (entry.identitytoken) cred.token = entry.identitytoken;
  return cred.username !== undefined || cred.token !== undefined ? cred : undefined;
}

/** Finds the credential for `registry` in a parsed docker config. */
export function lookupDockerConfig(config: DockerConfig, registry: string, file: string): CredentialLookup {
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!sameRegistry(configKeyHost(key), registry)) continue;
    // Like docker, a registry token is used directly and wins over everything else.
    if (entry.registrytoken) return { bearer: entry.registrytoken, source: `${file} auths["${key}"]` };
    const credential = fromEntry(entry, `${file} auths["${key}"]`);
    if (credential) return { credential, source: `${file} auths["${key}"]` };
  }
  const helper =
    Object.entries(config.credHelpers ?? {}).find(([key]) =>
      sameRegistry(configKeyHost(key), registry),
    )?.[1] ?? config.credsStore;
  if (helper) {
    return {
      note: `${file} keeps the credentials for ${registry} in credential helper "docker-credential-${helper}", which Portcullis does not run; pass --username/--password (or PORTCULLIS_REGISTRY_USERNAME/PASSWORD) instead`,
    };
  }
  return {};
}

export function parseDockerConfig(raw: string, file: string): DockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new PortcullisError('CONFIG_INVALID', `${file} is not valid JSON`, { cause: err });
  }
  const result = dockerConfig.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new PortcullisError(
      'CONFIG_INVALID',
      `${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid docker config'}`,
    );
  }
  return result.data;
}

export async function readDockerConfig(
  dir: string,
): Promise<{ config: DockerConfig; file: string } | undefined> {
  const file = join(dir, 'config.json');
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw new PortcullisError('CONFIG_INVALID', `cannot read docker config ${file}`, { cause: err });
  }
  if (raw.length > MAX_CONFIG_BYTES) {
    throw new PortcullisError('CONFIG_INVALID', `${file} is larger than ${MAX_CONFIG_BYTES} bytes`);
  }
  return { config: parseDockerConfig(raw.toString('utf8'), file), file };
}
