/**
 * A credential is only ever sent to the registry it was given for. Two registries on
 * 127.0.0.1 that both demand basic auth and record every Authorization header: the
 * credential given (as `--username/--password` for an image on the first) reaches the first
 * and never the second, also when the same options then read from the second.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../../../test/harness/registry/fault-proxy.js';
import { useProxiedImage } from '../../../../../test/harness/registry/proxied-image.js';
import { drain } from '../../../../../test/harness/registry/read-all.js';
import { registryOpenOptions } from '../../../../../test/harness/registry/options.js';
import { resolveImageOptions } from '../../../../config/index.js';
import { fromResolved } from '../../test-support/image-options.js';
import { isPortcullisError } from '../../../errors.js';
import { openImage } from '../../open.js';

const CREDS = { username: 'first-user', password: 'first-secret' };
const BASIC = `Basic ${Buffer.from(`${CREDS.username}:${CREDS.password}`).toString('base64')}`;

const first = useProxiedImage({
  name: 'cred-scope',
  repository: 'app/scope:v1',
  layers: [{ 'a.txt': 'a\n' }],
  proxyCredentials: CREDS,
});
let second: FaultProxy;

beforeAll(async () => {
  // The second registry serves the same content and demands the same user: only the host differs.
  second = await startFaultProxy(first.registry.host, CREDS);
});
afterAll(async () => second?.close());

async function optionsFor(host: string) {
  const cacheDir = await mkdtemp(join(first.work, 'cache-'));
  const flags = { cacheDir, insecure: true, username: CREDS.username, password: CREDS.password };
  return fromResolved(resolveImageOptions(flags, {}, first.work, host));
}

describe('registry credentials are bound to one host', () => {
  it('sends the credential to the host it was given for', async () => {
    const options = await optionsFor(first.proxy.host);
    const image = await openImage(`${first.proxy.host}/app/scope:v1`, options.env, options.request);
    for (const layer of await image.layers()) await drain(await layer.uncompressed());
    expect(first.proxy.seen.some((r) => r.authorization === BASIC)).toBe(true);
  });

  it('never sends it to a second registry, which then refuses the anonymous pull', async () => {
    second.seen.length = 0;
    const options = await optionsFor(first.proxy.host);
    const failure = await openImage(`${second.host}/app/scope:v1`, options.env, options.request).catch(
      (err: unknown) => err,
    );
    expect(isPortcullisError(failure, 'REGISTRY_UNAUTHORIZED'), String(failure)).toBe(true);
    expect(second.seen.length).toBeGreaterThan(0);
    expect(second.seen.map((r) => r.authorization)).toEqual(second.seen.map(() => undefined));
  });

  it('sends nothing when the command names no registry image (a local source)', async () => {
    second.seen.length = 0;
    const cacheDir = await mkdtemp(join(first.work, 'cache-'));
    const options = fromResolved(
      resolveImageOptions(
        { cacheDir, insecure: true, username: CREDS.username, password: CREDS.password },
        {},
        first.work,
      ),
    );
    expect(options.env.keychain.entries).toEqual([]);
    await openImage(`${second.host}/app/scope:v1`, options.env, options.request).catch(() => undefined);
    expect(second.seen.every((r) => r.authorization === undefined)).toBe(true);
  });
});

describe('registry credentials bound to a repository prefix', () => {
  async function withKeychain(key: string) {
    const cacheDir = await mkdtemp(join(first.work, 'cache-'));
    return registryOpenOptions(
      { host: first.proxy.host, mode: 'plain', caPem: '', username: '', password: '' },
      cacheDir,
      { credentials: { [key]: CREDS } },
    );
  }

  it('sends the credential for a repository under its prefix', async () => {
    first.proxy.seen.length = 0;
    const options = await withKeychain(`${first.proxy.host}/app/`);
    const image = await openImage(`${first.proxy.host}/app/scope:v1`, options.env, options.request);
    for (const layer of await image.layers()) await drain(await layer.uncompressed());
    expect(first.proxy.seen.some((r) => r.authorization === BASIC)).toBe(true);
  });

  it('sends nothing for a repository outside the prefix, on the same host', async () => {
    first.proxy.seen.length = 0;
    const options = await withKeychain(`${first.proxy.host}/other-team/`);
    const failure = await openImage(`${first.proxy.host}/app/scope:v1`, options.env, options.request).catch(
      (err: unknown) => err,
    );
    expect(isPortcullisError(failure, 'REGISTRY_UNAUTHORIZED'), String(failure)).toBe(true);
    expect(first.proxy.seen.length).toBeGreaterThan(0);
    expect(first.proxy.seen.every((r) => r.authorization === undefined)).toBe(true);
  });
});
