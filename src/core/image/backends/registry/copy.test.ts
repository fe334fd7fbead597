/**
 * The copy engine against real docker-registry instances (TLS + htpasswd, and plain behind a
 * proxy that refuses writes): digests kept, indexes copied whole, mounts within a registry,
 * streamed uploads across registries, referrers tags, and failures that leave no manifest.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../../../test/harness/fixtures/index.js';
import { buildOciLayout } from '../../../../../test/harness/registry/oci-layout.js';
import { inspectRaw, pushImage } from '../../../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../../../test/harness/registry/start-registry.js';
import { startWriteProxy, type WriteProxy } from '../../../../../test/harness/registry/write-proxy.js';
import type { ImageEnvironment } from '../../options.js';
import { testImageOptions } from '../../test-support/image-options.js';
import { copyImage, tagManifest } from './copy.js';
import { registryClient } from './index.js';
import type { RepositoryTarget } from './push.js';

const MAX = 4 * 1024 * 1024;
let work: string;
let app: FixtureImage;
let multi: FixtureImage;
let a: TestRegistry;
let b: TestRegistry;
let plain: TestRegistry;
let proxy: WriteProxy;
const opened: ImageEnvironment[] = [];

/** One environment whose keychain holds the logins of every registry named, each for its host. */
function options(...registries: TestRegistry[]): ImageEnvironment {
  const credentials = Object.fromEntries(
    registries
      .filter((r) => r.username)
      .map((r) => [r.host, { username: r.username ?? '', password: r.password ?? '' }]),
  );
  const { env } = testImageOptions({
    cacheDir: work,
    registry: {
      extraCaPem: registries.flatMap((r) => (r.caPem ? [r.caPem] : [])),
      insecureHosts: registries.some((r) => r.mode === 'plain') ? ['*'] : [],
      timeoutMs: 10_000,
      retries: 1,
    },
    credentials,
  });
  opened.push(env);
  return env;
}

const target = (env: ImageEnvironment, host: string, repository: string): RepositoryTarget => ({
  client: registryClient(host, env),
  repository,
});

async function digestOf(registry: TestRegistry, ref: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await inspectRaw(registry, ref))
    .digest('hex')}`;
}

async function absent(registry: TestRegistry, ref: string): Promise<boolean> {
  return inspectRaw(registry, ref).then(
    () => false,
    () => true,
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-copy-test-'));
  [app, multi] = await Promise.all([getFixtureImage('app'), getFixtureImage('multiarch')]);
  [a, b, plain] = await Promise.all([
    startRegistry('tls-basic'),
    startRegistry('tls-basic'),
    startRegistry('plain'),
  ]);
  await pushImage(a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
  await pushImage(a, `oci:${multi.ociLayoutDir}:${multi.tag}`, 'unscanned/multi:1');
  await pushImage(plain, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
  proxy = await startWriteProxy(plain.host);
}, 600_000);

afterAll(async () => {
  for (const env of opened) await env.clients.close();
  await proxy?.stop();
  await Promise.all([a?.stop(), b?.stop(), plain?.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('copyImage', () => {
  it('copies by digest within a registry with mounts; the destination digest is the source digest', async () => {
    const o = options(a);
    const digest = await digestOf(a, 'unscanned/app:1');
    const result = await copyImage({
      source: target(o, a.host, 'unscanned/app'),
      destination: target(o, a.host, 'scanned/app'),
      digest,
      tags: ['1', '1-scanned'],
      maxManifestBytes: MAX,
    });
    expect(await digestOf(a, 'scanned/app:1')).toBe(digest);
    expect(await digestOf(a, 'scanned/app:1-scanned')).toBe(digest);
    expect(result.blobs.mounted).toBe(app.hostManifest.layers.length + 1);
    expect(result.blobs.uploaded).toBe(0);
    expect(result.manifests).toEqual([digest]);
  });

  it('copies a multi-platform index whole across registries, streaming; a second copy sends nothing', async () => {
    const o = options(a, b);
    const digest = await digestOf(a, 'unscanned/multi:1');
    const request = {
      source: target(o, a.host, 'unscanned/multi'),
      destination: target(o, b.host, 'scanned/multi'),
      digest,
      tags: ['1'],
      maxManifestBytes: MAX,
    };
    const first = await copyImage(request);
    expect(await digestOf(b, 'scanned/multi:1')).toBe(digest);
    expect(first.manifests).toHaveLength(multi.manifests.length + 1);
    expect(first.manifests.at(-1)).toBe(digest);
    for (const m of multi.manifests)
      expect(await digestOf(b, `scanned/multi@${m.manifestDigest}`)).toBe(m.manifestDigest);
    expect(first.blobs.uploaded).toBeGreaterThan(0);
    expect(first.blobs.mounted).toBe(0);
    const again = await copyImage(request);
    expect(again.blobs.uploaded + again.blobs.mounted).toBe(0);
    expect(again.blobs.present).toBe(first.blobs.uploaded + first.blobs.present);
  });

  it('copies the referrers tags (cosign signature) of the image', async () => {
    const o = options(a, b);
    const digest = await digestOf(a, 'unscanned/app:1');
    const sigTag = `${digest.replace(':', '-')}.sig`;
    const sig = await buildOciLayout(join(work, 'sig'), 'sig', [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ 'signature.json': '{"critical":{}}' }] },
    ]);
    await pushImage(a, `oci:${sig.dir}:sig`, `unscanned/app:${sigTag}`);
    const result = await copyImage({
      source: target(o, a.host, 'unscanned/app'),
      destination: target(o, b.host, 'signed/app'),
      digest,
      tags: ['1'],
      maxManifestBytes: MAX,
    });
    expect(result.referrers).toEqual([sigTag]);
    expect(await digestOf(b, `signed/app:${sigTag}`)).toBe(await digestOf(a, `unscanned/app:${sigTag}`));
  });

  it('tags a manifest already in the repository (quarantine mark)', async () => {
    const o = options(a);
    const digest = await digestOf(a, 'unscanned/app:1');
    await tagManifest(target(o, a.host, 'unscanned/app'), digest, 'quarantined', MAX);
    expect(await digestOf(a, 'unscanned/app:quarantined')).toBe(digest);
  });

  it('a refused blob upload fails the copy and leaves no manifest or tag at the destination', async () => {
    const o = options(plain);
    const digest = await digestOf(plain, 'unscanned/app:1');
    proxy.refuse = (req) => (req.method === 'PUT' && req.url?.includes('/blobs/uploads/') ? 403 : undefined);
    const base = { digest, tags: ['1'], maxManifestBytes: MAX };
    const err = await copyImage({
      ...base,
      source: target(o, plain.host, 'unscanned/app'),
      destination: target(o, proxy.host, 'refused/app'),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REGISTRY_DENIED' });
    expect(proxy.seen.some((s) => s.startsWith('PUT') && s.includes('/manifests/'))).toBe(false);
    expect(await absent(plain, `refused/app@${digest}`)).toBe(true);
    expect(await absent(plain, 'refused/app:1')).toBe(true);
    // The destination goes down: a connection error, still nothing half-written.
    proxy.refuse = undefined;
    await proxy.stop();
    const down = await copyImage({
      ...base,
      source: target(o, plain.host, 'unscanned/app'),
      destination: target(o, proxy.host, 'refused/app'),
    }).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
    await proxy.start();
    const ok = await copyImage({
      ...base,
      source: target(o, plain.host, 'unscanned/app'),
      destination: target(o, proxy.host, 'refused/app'),
    });
    expect(ok.tags).toEqual(['1']);
    expect(await digestOf(plain, 'refused/app:1')).toBe(digest);
  });

  it('stops when aborted, before any manifest is written', async () => {
    const o = options(a, b);
    const digest = await digestOf(a, 'unscanned/app:1');
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      copyImage({
        source: target(o, a.host, 'unscanned/app'),
        destination: target(o, b.host, 'aborted/app'),
        digest,
        tags: ['1'],
        maxManifestBytes: MAX,
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    expect(await absent(b, 'aborted/app:1')).toBe(true);
  });
});
