/**
 * The registry back-end against the real docker-registry in its three harness modes. Ground
 * truth: the layouts we built ourselves (blob bytes, tars) and `skopeo inspect --raw` for
 * what the registry serves.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImages } from '../../open.js';
import { buildOciLayout, type BuiltLayout } from '../../../../../test/harness/registry/oci-layout.js';
import { registryOpenOptions } from '../../../../../test/harness/registry/options.js';
import { inspectRaw, loginWithSkopeo, pushImage } from '../../../../../test/harness/registry/push.js';
import { caught, drain } from '../../../../../test/harness/registry/read-all.js';
import {
  startRegistry,
  type RegistryMode,
  type TestRegistry,
} from '../../../../../test/harness/registry/start-registry.js';
import { blobCachePath } from './blob-cache.js';
import { registryClient } from './index.js';
import { pair } from '../../test-support/image-options.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MODES: RegistryMode[] = ['plain', 'tls-basic', 'token'];

let work: string;
let single: BuiltLayout;
let multi: BuiltLayout;
const registries = new Map<RegistryMode, TestRegistry>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-registry-test-'));
  single = await buildOciLayout(join(work, 'single'), 'v1', [
    {
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [{ 'etc/os-release': 'ID=test\n', 'bin/a': 'a' }, { 'app/main.js': 'console.log(1)\n' }],
    },
  ]);
  multi = await buildOciLayout(join(work, 'multi'), 'v1', [
    { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ 'arch.txt': 'amd64\n' }] },
    { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ 'arch.txt': 'arm64\n' }] },
  ]);
  for (const mode of MODES) {
    const registry = await startRegistry(mode);
    registries.set(mode, registry);
    await pushImage(registry, `oci:${single.dir}:v1`, 'app/single:v1');
    await pushImage(registry, `oci:${multi.dir}:v1`, 'app/multi:v1');
  }
});

afterAll(async () => {
  for (const registry of registries.values()) await registry.stop();
  await rm(work, { recursive: true, force: true });
});

describe.each(MODES)('registry back-end, %s registry', (mode) => {
  const reg = () => registries.get(mode) as TestRegistry;
  const options = async (over = {}, platform?: { os: string; architecture: string }) =>
    registryOpenOptions(reg(), await mkdtemp(join(work, 'cache-')), over, platform);

  it('pulls by tag: manifest digest as skopeo sees it, layers byte-for-byte as built', async () => {
    const raw = await inspectRaw(reg(), 'app/single:v1');
    const [image] = await openImages(`${reg().host}/app/single:v1`, ...pair(await options()));
    expect(image?.digest).toBe(sha256(raw));
    expect(image?.digest).toBe(single.images[0]?.manifest.digest);
    expect(image?.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect((await image?.rawManifest())?.equals(raw)).toBe(true);
    const layers = (await image?.layers()) ?? [];
    expect(layers.map((l) => l.digest)).toEqual(single.images[0]?.layers.map((l) => l.digest));
    for (const [i, layer] of layers.entries()) {
      expect(
        (await drain(await layer.uncompressed())).equals(single.images[0]?.layers[i]?.tar as Buffer),
      ).toBe(true);
    }
  });

  it('HEADs a manifest: digest, media type and size without the body', async () => {
    const opts = await options();
    const raw = await inspectRaw(reg(), 'app/single:v1');
    const client = registryClient(reg().host, opts.env);
    const head = await client.headManifest(
      'app/single',
      'v1',
      opts.env.limits.maxManifestBytes,
      'HEAD app/single:v1',
    );
    expect(head).toEqual({
      digest: sha256(raw),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: raw.length,
    });
  });

  it('pulls by digest, and tag+digest fetches by digest', async () => {
    const digest = single.images[0]?.manifest.digest as string;
    const [byDigest] = await openImages(`${reg().host}/app/single@${digest}`, ...pair(await options()));
    expect(byDigest?.digest).toBe(digest);
    // The tag does not exist; the digest wins for fetching.
    const [both] = await openImages(
      `${reg().host}/app/single:no-such-tag@${digest}`,
      ...pair(await options()),
    );
    expect(both?.digest).toBe(digest);
    expect(both?.source).toContain(':no-such-tag@');
  });

  it('picks linux/arm64 from a pushed two-platform index, or every platform', async () => {
    const index = JSON.parse((await inspectRaw(reg(), 'app/multi:v1')).toString('utf8')) as {
      manifests: Array<{ digest: string; platform: { architecture: string } }>;
    };
    const arm = index.manifests.find((m) => m.platform.architecture === 'arm64');
    const opts = await options({}, { os: 'linux', architecture: 'arm64' });
    const [image] = await openImages(`${reg().host}/app/multi:v1`, opts.env, opts.request);
    expect(image?.digest).toBe(arm?.digest);
    expect(image?.platform.architecture).toBe('arm64');
    const [layer] = (await image?.layers()) ?? [];
    expect(
      layer && (await drain(await layer.uncompressed())).equals(multi.images[1]?.layers[0]?.tar as Buffer),
    ).toBe(true);
    const all = await openImages(`${reg().host}/app/multi:v1`, ...pair(opts, { allPlatforms: true }));
    expect(all.map((i) => i.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
    expect(all.map((i) => i.digest).sort()).toEqual(index.manifests.map((m) => m.digest).sort());
  });

  it('caches blobs content-addressed, and deleting the cache is safe', async () => {
    const opts = await options();
    const [image] = await openImages(`${reg().host}/app/single:v1`, opts.env, opts.request);
    for (const layer of (await image?.layers()) ?? []) await drain(await layer.compressed());
    // A stream ends once its bytes are verified; the download renames its file into the cache
    // just after (readers hold the temp file open: blob-download.ts), so the entry may land a moment later.
    const cached = async (path: string) => {
      for (let i = 0; i < 100; i++) {
        const bytes = await readFile(path).catch(() => undefined);
        if (bytes) return bytes;
        await new Promise((r) => setTimeout(r, 50));
      }
      return readFile(path);
    };
    for (const built of single.images[0]?.layers ?? []) {
      expect((await cached(blobCachePath(opts.env.cacheDir, built.digest))).equals(built.bytes)).toBe(true);
    }
    await rm(opts.env.cacheDir, { recursive: true, force: true });
    const [again] = await openImages(`${reg().host}/app/single:v1`, opts.env, opts.request);
    const [first] = (await again?.layers()) ?? [];
    expect(
      first && (await drain(await first.uncompressed())).equals(single.images[0]?.layers[0]?.tar as Buffer),
    ).toBe(true);
  });

  it('reports a missing repository or tag as REGISTRY_NOT_FOUND', async () => {
    const noRepo = await caught(openImages(`${reg().host}/nope/missing:v1`, ...pair(await options())));
    expect(noRepo.code).toBe('REGISTRY_NOT_FOUND');
    expect(noRepo.message).toContain('nope/missing');
    const noTag = await caught(openImages(`${reg().host}/app/single:v9`, ...pair(await options())));
    expect(noTag.code).toBe('REGISTRY_NOT_FOUND');
  });
});

describe.each(['tls-basic', 'token'] as const)('authentication, %s registry', (mode) => {
  const reg = () => registries.get(mode) as TestRegistry;

  it('refuses a wrong password and no credentials with REGISTRY_UNAUTHORIZED', async () => {
    const wrong = registryOpenOptions(reg(), join(work, 'c-wrong'), {
      credentials: { [reg().host]: { username: reg().username, password: 'wrong' } },
    });
    const err = await caught(openImages(`${reg().host}/app/single:v1`, wrong.env, wrong.request));
    expect(err.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(err.message).toMatch(/refused/);
    const none = registryOpenOptions(reg(), join(work, 'c-none'), { credentials: {} });
    const anonymous = await caught(openImages(`${reg().host}/app/single:v1`, none.env, none.request));
    expect(anonymous.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(anonymous.message).toContain('no credentials were given');
  });

  it('names the credential helper it did not run when that is where the password lives', async () => {
    const dir = await mkdtemp(join(work, 'docker-config-'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [reg().host]: {} }, credsStore: 'pass' }),
    );
    const opts = registryOpenOptions(reg(), join(work, 'c-helper'), {
      credentials: {},
      dockerConfigDir: dir,
    });
    const err = await caught(openImages(`${reg().host}/app/single:v1`, opts.env, opts.request));
    expect(err.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(err.message).toContain('docker-credential-pass');
  });

  it('uses base64 "auth" from a docker config.json', async () => {
    const dir = await mkdtemp(join(work, 'docker-config-'));
    const auth = Buffer.from(`${reg().username}:${reg().password}`).toString('base64');
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [`https://${reg().host}/v2/`]: { auth } } }),
    );
    const opts = registryOpenOptions(reg(), join(work, 'c-cfg'), { credentials: {}, dockerConfigDir: dir });
    const [image] = await openImages(`${reg().host}/app/single:v1`, opts.env, opts.request);
    expect(image?.digest).toBe(single.images[0]?.manifest.digest);
  });

  it('uses the config.json that `skopeo login` writes', async () => {
    const dir = await mkdtemp(join(work, 'skopeo-login-'));
    await loginWithSkopeo(reg(), join(dir, 'config.json'));
    const opts = registryOpenOptions(reg(), join(work, 'c-login'), { credentials: {}, dockerConfigDir: dir });
    const [image] = await openImages(`${reg().host}/app/single:v1`, opts.env, opts.request);
    expect(image?.digest).toBe(single.images[0]?.manifest.digest);
  });
});

describe('token flow', () => {
  const reg = () => registries.get('token') as TestRegistry;

  it('caches a token per registry+scope (one token request for many calls)', async () => {
    const opts = registryOpenOptions(reg(), join(work, 'c-tok'));
    const before = reg().tokenIssuer?.requests ?? 0;
    for (let i = 0; i < 3; i++) {
      const [image] = await openImages(`${reg().host}/app/single:v1`, opts.env, opts.request);
      for (const layer of (await image?.layers()) ?? []) await drain(await layer.compressed());
    }
    expect((reg().tokenIssuer?.requests ?? 0) - before).toBe(1);
    // Another repository is another scope, so it needs its own token.
    await openImages(`${reg().host}/app/multi:v1`, opts.env, opts.request);
    expect((reg().tokenIssuer?.requests ?? 0) - before).toBe(2);
  });

  it('exchanges a docker config identitytoken with the OAuth2 refresh-token POST', async () => {
    const dir = await mkdtemp(join(work, 'docker-config-'));
    const identitytoken = reg().tokenIssuer?.identityToken;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [reg().host]: { identitytoken } } }));
    const opts = registryOpenOptions(reg(), join(work, 'c-idt'), { credentials: {}, dockerConfigDir: dir });
    const [image] = await openImages(`${reg().host}/app/single:v1`, opts.env, opts.request);
    expect(image?.digest).toBe(single.images[0]?.manifest.digest);
  });
});

describe('registry token from docker config', () => {
  it('sends a registrytoken as the bearer token without asking the token server', async () => {
    const reg = registries.get('token') as TestRegistry;
    const issuer = reg.tokenIssuer as NonNullable<TestRegistry['tokenIssuer']>;
    const realm = new URL(issuer.realm);
    realm.searchParams.set('service', issuer.service);
    realm.searchParams.set('scope', 'repository:app/single:pull');
    const agent = new Agent({ connect: { ca: reg.caPem } });
    const res = await request(realm, {
      dispatcher: agent,
      headers: {
        authorization: `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString('base64')}`,
      },
    });
    const { token } = (await res.body.json()) as { token: string };
    await agent.close();
    const dir = await mkdtemp(join(work, 'docker-config-'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { registrytoken: token } } }),
    );
    const opts = registryOpenOptions(reg, join(work, 'c-regtok'), { credentials: {}, dockerConfigDir: dir });
    const before = issuer.requests;
    const [image] = await openImages(`${reg.host}/app/single:v1`, opts.env, opts.request);
    for (const layer of (await image?.layers()) ?? []) await drain(await layer.compressed());
    expect(image?.digest).toBe(single.images[0]?.manifest.digest);
    expect(issuer.requests).toBe(before);
  });
});

describe('TLS', () => {
  const reg = () => registries.get('tls-basic') as TestRegistry;

  it('refuses a registry whose CA is unknown with REGISTRY_TLS', async () => {
    const opts = registryOpenOptions(reg(), join(work, 'c-ca'), { extraCaPem: [] });
    const err = await caught(openImages(`${reg().host}/app/single:v1`, opts.env, opts.request));
    expect(err.code).toBe('REGISTRY_TLS');
    expect(err.message).toMatch(/certificate/i);
    expect(err.message).toContain(reg().host);
  });

  it('reads it without the CA when the host is marked insecure', async () => {
    const opts = registryOpenOptions(reg(), join(work, 'c-insec'), {
      extraCaPem: [],
      insecureHosts: [reg().host],
    });
    const [image] = await openImages(`${reg().host}/app/single:v1`, opts.env, opts.request);
    expect(image?.digest).toBe(single.images[0]?.manifest.digest);
  });

  it('does not fall back to plain HTTP unless the host is insecure', async () => {
    const plain = registries.get('plain') as TestRegistry;
    const opts = registryOpenOptions(plain, join(work, 'c-plain'), { insecureHosts: [] });
    const err = await caught(openImages(`${plain.host}/app/single:v1`, opts.env, opts.request));
    expect(err.code).toMatch(/^REGISTRY_(TLS|UNREACHABLE)$/);
    expect(err.message).toContain('--insecure');
  });
});
