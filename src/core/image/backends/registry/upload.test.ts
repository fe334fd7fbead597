/**
 * Chunked blob uploads against real docker-registry instances: across TLS + htpasswd
 * registries; through a front proxy that drops the connection once in the middle of a chunk
 * (the upload resumes from the offset the registry reports, re-sending less than the blob);
 * and through one that refuses PATCH (the monolithic PUT takes over). The destination digest
 * is the source digest every time.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage } from '../../../../../test/harness/fixtures/index.js';
import { inspectRaw, pushImage } from '../../../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../../../test/harness/registry/start-registry.js';
import { startWriteProxy, type WriteProxy } from '../../../../../test/harness/registry/write-proxy.js';
import type { ImageEnvironment } from '../../options.js';
import { testImageOptions } from '../../test-support/image-options.js';
import { copyImage } from './copy.js';
import { registryClient } from './index.js';
import type { RepositoryTarget } from './push.js';

const MAX = 4 * 1024 * 1024;
const MiB = 1024 * 1024;
/** Chunk everything above 1 MiB, in 4 MiB chunks: the fixture's two big layers (34, 51 MB). */
const CHUNKED = { chunkThreshold: MiB, chunkSize: 4 * MiB };
let work: string;
let a: TestRegistry;
let b: TestRegistry;
let plain: TestRegistry;
let proxy: WriteProxy;
let digest: string;
const opened: ImageEnvironment[] = [];

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
      timeoutMs: 20_000,
      retries: 0,
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

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The sizes of every blob the image's manifest names, and their total. */
async function blobBytes(): Promise<{ sizes: number[]; total: number }> {
  const m = JSON.parse((await inspectRaw(a, 'unscanned/app:1')).toString('utf8')) as {
    config: { size: number };
    layers: { size: number }[];
  };
  const sizes = [m.config.size, ...m.layers.map((l) => l.size)];
  return { sizes, total: sizes.reduce((x, y) => x + y, 0) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-upload-test-'));
  const app = await getFixtureImage('app');
  [a, b, plain] = await Promise.all([
    startRegistry('tls-basic'),
    startRegistry('tls-basic'),
    startRegistry('plain'),
  ]);
  await pushImage(a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
  digest = sha(await inspectRaw(a, 'unscanned/app:1'));
  proxy = await startWriteProxy(plain.host);
}, 600_000);

afterAll(async () => {
  for (const env of opened) await env.clients.close();
  await proxy?.stop();
  await Promise.all([a?.stop(), b?.stop(), plain?.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('chunked blob uploads', () => {
  it('uploads big blobs in chunks between TLS registries with the same digest', async () => {
    const o = options(a, b);
    const result = await copyImage({
      source: target(o, a.host, 'unscanned/app'),
      destination: target(o, b.host, 'chunked/app'),
      digest,
      tags: ['1'],
      maxManifestBytes: MAX,
      upload: CHUNKED,
    });
    expect(sha(await inspectRaw(b, 'chunked/app:1'))).toBe(digest);
    expect(result.blobs.uploaded).toBe((await blobBytes()).sizes.length);
    expect(result.uploads).toEqual({ resumed: 0, restarted: 0 });
  });

  it('resumes a chunked upload cut off mid-chunk from the offset the registry holds', async () => {
    const o = options(a, plain);
    const { sizes, total } = await blobBytes();
    proxy.uploadBytes = 0;
    proxy.seen = [];
    // Half-way through the third 4 MiB chunk sent (the big layers go in parallel).
    proxy.cutUploadAfter = 10 * MiB;
    const result = await copyImage({
      source: target(o, a.host, 'unscanned/app'),
      destination: target(o, proxy.host, 'resumed/app'),
      digest,
      tags: ['1'],
      maxManifestBytes: MAX,
      upload: CHUNKED,
    });
    expect(proxy.cutUploadAfter).toBeUndefined();
    expect(result.uploads).toEqual({ resumed: 1, restarted: 0 });
    const resent = proxy.uploadBytes - total;
    expect(resent).toBeGreaterThan(0);
    expect(resent).toBeLessThan(Math.min(...sizes.filter((s) => s > CHUNKED.chunkThreshold)));
    // The registry was asked where the upload stood (GET on the upload URL) before resuming.
    expect(proxy.seen.some((s) => s.startsWith('GET ') && s.includes('/blobs/uploads/'))).toBe(true);
    expect(sha(await inspectRaw(plain, 'resumed/app:1'))).toBe(digest);
  });

  it('falls back to one monolithic PUT where the registry refuses chunks', async () => {
    const o = options(a, plain);
    proxy.seen = [];
    proxy.refuse = (req) => (req.method === 'PATCH' ? 405 : undefined);
    try {
      const result = await copyImage({
        source: target(o, a.host, 'unscanned/app'),
        destination: target(o, proxy.host, 'monolithic/app'),
        digest,
        tags: ['1'],
        maxManifestBytes: MAX,
        upload: CHUNKED,
      });
      const big = (await blobBytes()).sizes.filter((s) => s > CHUNKED.chunkThreshold).length;
      expect(result.uploads).toEqual({ resumed: 0, restarted: big });
      expect(proxy.seen.filter((s) => s.startsWith('PATCH ')).length).toBe(big);
    } finally {
      proxy.refuse = undefined;
    }
    expect(sha(await inspectRaw(plain, 'monolithic/app:1'))).toBe(digest);
  });
});
