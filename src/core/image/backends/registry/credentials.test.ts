import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import type { RegistryCredential } from '../../options.js';
import { configKeyHost } from './credentials.js';
import { Keychain } from './keychain.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let dir: string;
interface Over {
  credentials?: Record<string, RegistryCredential>;
  dockerConfigDir?: string | undefined;
}
/** A fresh keychain per lookup: a keychain reads docker's config once. */
const options = (over: Over = {}): Keychain =>
  Keychain.fromKeys(
    over.credentials ?? {},
    '--username/--password',
    'dockerConfigDir' in over ? over.dockerConfigDir : dir,
  );
const resolveCredential = (registry: string, keychain: Keychain) => keychain.resolve(registry, 'any/repo');

async function writeConfig(content: unknown): Promise<void> {
  await writeFile(join(dir, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-creds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('configKeyHost', () => {
  it.each([
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['http://localhost:5000', 'localhost:5000'],
    ['ghcr.io', 'ghcr.io'],
    ['Registry.Example.com:443/path', 'registry.example.com:443'],
  ])('%s → %s', (key, host) => expect(configKeyHost(key)).toBe(host));
});

describe('Keychain with docker config', () => {
  it('decodes base64 auth keyed by URL, with ":" allowed in the password, and Hub aliases', async () => {
    await writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:p:a:ss') },
        'localhost:5000': { auth: b64('local:secret') },
        'https://reg.example.com/v2/': { identitytoken: 'refresh-123' },
        'plain.example.com': { username: 'u', password: 'p' },
      },
    });
    expect((await resolveCredential('docker.io', options())).credential).toEqual({
      username: 'hubuser',
      password: 'p:a:ss',
    });
    expect((await resolveCredential('localhost:5000', options())).credential).toEqual({
      username: 'local',
      password: 'secret',
    });
    expect((await resolveCredential('reg.example.com', options())).credential).toEqual({
      token: 'refresh-123',
    });
    expect((await resolveCredential('plain.example.com', options())).credential).toEqual({
      username: 'u',
      password: 'p',
    });
    expect((await resolveCredential('other.example.com', options())).credential).toBeUndefined();
  });

  it('uses a registrytoken as the bearer token itself, ahead of other entries', async () => {
    await writeConfig({ auths: { 'tok.example.com': { auth: b64('u:p'), registrytoken: 'bearer-xyz' } } });
    const found = await resolveCredential('tok.example.com', options());
    expect(found.bearer).toBe('bearer-xyz');
    expect(found.credential).toBeUndefined();
  });

  it('prefers explicit credentials for their own host, and sends them nowhere else', async () => {
    await writeConfig({ auths: { 'localhost:5000': { auth: b64('cfg:cfg') } } });
    const mine = options({ credentials: { 'localhost:5000': { username: 'flag', password: 'f' } } });
    expect((await resolveCredential('localhost:5000', mine)).credential).toEqual({
      username: 'flag',
      password: 'f',
    });
    expect((await resolveCredential('elsewhere:1', mine)).credential).toBeUndefined();
    // "*" is no wildcard: a key is a host name, and no registry is called "*".
    const star = options({ credentials: { '*': { username: 'any', password: 'a' } } });
    expect((await resolveCredential('elsewhere:1', star)).credential).toBeUndefined();
    expect((await resolveCredential('localhost:5000', star)).credential?.username).toBe('cfg');
  });

  it('explains credential helpers instead of running them', async () => {
    await writeConfig({
      auths: { 'ghcr.io': {} },
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud' },
    });
    const ghcr = await resolveCredential('ghcr.io', options());
    expect(ghcr.credential).toBeUndefined();
    expect(ghcr.note).toMatch(/docker-credential-desktop.*does not run/);
    expect((await resolveCredential('gcr.io', options())).note).toMatch(/docker-credential-gcloud/);
  });

  it('has no credential without a config file or directory', async () => {
    expect(await resolveCredential('x.io', options({ dockerConfigDir: join(dir, 'missing') }))).toEqual({});
    expect(await resolveCredential('x.io', options({ dockerConfigDir: undefined }))).toEqual({});
  });

  it.each([
    ['not JSON', '{"auths": ', /config\.json is not valid JSON/],
    ['wrong shape', { auths: { 'a.io': { auth: 42 } } }, /config\.json: auths\.a\.io\.auth/],
    [
      'bad base64 auth',
      { auths: { 'a.io': { auth: b64('no-colon') } } },
      /auths\["a\.io"\]: "auth" is not base64/,
    ],
  ])('refuses a config that is %s with CONFIG_INVALID naming the file', async (_name, content, message) => {
    await writeConfig(content);
    const error = await resolveCredential('a.io', options()).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe('an explicit registry token', () => {
  it('is sent as the bearer token for its own host only', async () => {
    await writeConfig({ auths: {} });
    const opts = options({ credentials: { 'harbor.example:8443': { bearer: 'robot-jwt' } } });
    expect(await resolveCredential('harbor.example:8443', opts)).toEqual({
      bearer: 'robot-jwt',
      source: '--username/--password',
    });
    expect((await resolveCredential('other.example', opts)).bearer).toBeUndefined();
  });
});
