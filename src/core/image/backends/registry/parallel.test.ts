/**
 * Parallel fetch-ahead of layer blobs against the real docker-registry, behind the fault
 * proxy (which counts blob requests in flight and injects failures). Ground truth: what
 * `skopeo copy` pulls from the same registry, and the layout we built.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveImageOptions } from '../../../../config/index.js';
import { fromResolved, type TestImageOptions } from '../../test-support/image-options.js';
import { openImages } from '../../open.js';
import type { RegistryOptions } from '../../options.js';
import { registryOpenOptions } from '../../../../../test/harness/registry/options.js';
import { pullWithSkopeo } from '../../../../../test/harness/registry/push.js';
import { useProxiedImage } from '../../../../../test/harness/registry/proxied-image.js';
import { caught, drain } from '../../../../../test/harness/registry/read-all.js';
import { blobCachePath } from './blob-cache.js';

const LAYERS = 5;

const fx = useProxiedImage({
  name: 'parallel',
  repository: 'app/parallel:v1',
  layers: Array.from({ length: LAYERS }, (_, i) => ({
    [`layer-${i}.txt`]: randomBytes(20_000 + i * 5_000).toString('hex'),
  })),
});

const layers = () => fx.built.images[0]?.layers ?? [];
const layerDigest = (i: number) => layers()[i]?.digest as string;
const isLayerBlob = (url: string | undefined) => layers().some((l) => url?.endsWith(`/blobs/${l.digest}`));

async function options(over: Partial<RegistryOptions> = {}, cacheDir?: string): Promise<TestImageOptions> {
  const cache = cacheDir ?? (await mkdtemp(join(fx.work, 'cache-')));
  return registryOpenOptions(fx.registry, cache, { timeoutMs: 10_000, ...over });
}

/** Proxies layer blobs after a pause, counting how many are in flight at once. */
function countInFlight(): { max: number } {
  const seen = { max: 0 };
  let now = 0;
  fx.proxy.fault = async ({ req, res, upstream }) => {
    if (!isLayerBlob(req.url)) return false;
    now++;
    seen.max = Math.max(seen.max, now);
    await new Promise((r) => setTimeout(r, 60));
    const up = await upstream();
    res.writeHead(up.status, up.headers).end(up.body);
    res.once('close', () => now--);
    return true;
  };
  return seen;
}

/** Opens the image and reads every layer in order, as the filesystem does. */
async function pullAll(opts: TestImageOptions): Promise<{ digest: string; tars: Buffer[] }> {
  const [image] = await openImages(`${fx.proxy.host}/app/parallel:v1`, opts.env, opts.request);
  if (!image) throw new Error('no image');
  const tars: Buffer[] = [];
  for (const layer of await image.layers()) tars.push(await drain(await layer.uncompressed()));
  return { digest: image.digest, tars };
}

async function tempFiles(cacheDir: string): Promise<string[]> {
  const names = await readdir(join(cacheDir, 'blobs', 'sha256')).catch(() => [] as string[]);
  return names.filter((n) => n.includes('.tmp-'));
}

describe('parallel blob fetching', () => {
  it('pulls the same bytes 3 at a time, one at a time, and as skopeo copy does', async () => {
    const skopeoDir = join(fx.work, 'skopeo');
    await pullWithSkopeo(fx.registry, 'app/parallel:v1', skopeoDir);
    const skopeoBlob = (digest: string) => readFile(join(skopeoDir, 'blobs', ...digest.split(':')));

    const parallelSeen = countInFlight();
    const parallel = await options({ blobConcurrency: 3 });
    const fromParallel = await pullAll(parallel);
    const sequentialSeen = countInFlight();
    const sequential = await options({ blobConcurrency: 1 });
    const fromSequential = await pullAll(sequential);

    expect(parallelSeen.max).toBe(3);
    expect(sequentialSeen.max).toBe(1);
    expect(fromParallel.digest).toBe(fromSequential.digest);
    expect(fromParallel.tars.map((t) => t.toString('hex'))).toEqual(
      fromSequential.tars.map((t) => t.toString('hex')),
    );
    for (const [i, layer] of layers().entries()) {
      const truth = await skopeoBlob(layer.digest);
      expect((await readFile(blobCachePath(parallel.env.cacheDir, layer.digest))).equals(truth)).toBe(true);
      expect((await readFile(blobCachePath(sequential.env.cacheDir, layer.digest))).equals(truth)).toBe(true);
      expect(fromParallel.tars[i]?.equals(layer.tar)).toBe(true);
    }
    expect(await tempFiles(parallel.env.cacheDir)).toEqual([]);
  });

  it('fails the pull fast on one failing blob, aborts the others and leaves no temp files', async () => {
    const stalledClosed: Array<Promise<unknown>> = [];
    let bothStalled: () => void = () => undefined;
    const stalled = new Promise<void>((r) => (bothStalled = r));
    fx.proxy.fault = async ({ req, res, upstream }) => {
      if (req.url?.endsWith(`/blobs/${layerDigest(2)}`)) {
        // Fail only once layers 0 and 1 are mid-body, so there is something to cancel.
        await stalled;
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"DENIED","message":"injected"}]}');
        return true;
      }
      if (!isLayerBlob(req.url)) return false;
      // Every other layer sends half its bytes and then hangs, as a slow mirror would.
      stalledClosed.push(once(res, 'close'));
      const up = await upstream();
      res.writeHead(200, { ...up.headers, 'content-length': String(up.body.length) });
      res.write(up.body.subarray(0, up.body.length >> 1));
      if (stalledClosed.length === 2) bothStalled();
      return true;
    };
    const opts = await options({ timeoutMs: 10_000, blobConcurrency: 3 });
    const started = Date.now();
    const err = await caught(pullAll(opts));
    expect(err.code).toBe('REGISTRY_DENIED');
    expect(err.message).toContain(layerDigest(2));
    // Far sooner than the 10 s a stalled body takes to time out.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(stalledClosed).toHaveLength(2);
    await Promise.all(stalledClosed); // the stalled downloads were cancelled, their sockets closed
    expect(await tempFiles(opts.env.cacheDir)).toEqual([]);
  });

  it('fails a layer already being read when a blob fetched ahead of it fails', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    fx.proxy.fault = async ({ req, res }) => {
      if (!req.url?.endsWith(`/blobs/${layerDigest(LAYERS - 1)}`)) return false;
      await released;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"BLOB_UNKNOWN","message":"injected"}]}');
      return true;
    };
    const opts = await options({ blobConcurrency: 3 });
    const [image] = await openImages(`${fx.proxy.host}/app/parallel:v1`, opts.env, opts.request);
    const [first] = (await image?.layers()) ?? [];
    if (!first) throw new Error('no layers');
    const stream = await first.compressed();
    const failed = once(stream, 'error');
    release();
    const [err] = (await failed) as [Error & { code?: string }];
    expect(err.code).toBe('REGISTRY_NOT_FOUND');
    expect(err.message).toContain(layerDigest(LAYERS - 1));
    expect(await tempFiles(opts.env.cacheDir)).toEqual([]);
  });

  it('lets two pullers share one cache: each writes its own temp file, both verify', async () => {
    countInFlight();
    const cache = await mkdtemp(join(fx.work, 'shared-'));
    // Separate option objects = separate clients and fetchers, as two processes would have.
    const [a, b] = await Promise.all([pullAll(await options({}, cache)), pullAll(await options({}, cache))]);
    // Both downloaded (overlapping, thanks to the proxy's pause) rather than one reading the other's file.
    expect(fx.proxy.seen.filter((r) => isLayerBlob(r.path)).length).toBeGreaterThan(LAYERS);
    expect(a.tars.map((t) => t.toString('hex'))).toEqual(b.tars.map((t) => t.toString('hex')));
    for (const layer of layers()) {
      expect((await readFile(blobCachePath(cache, layer.digest))).equals(layer.bytes)).toBe(true);
    }
    expect(await tempFiles(cache)).toEqual([]);
  });

  it('still pulls, uncached, when the blob cache cannot be written', async () => {
    const cache = await mkdtemp(join(fx.work, 'broken-'));
    // A file where the sha256 directory belongs: every temp file fails to open (even for root).
    await mkdir(join(cache, 'blobs'));
    await writeFile(join(cache, 'blobs', 'sha256'), 'not a directory');
    const pulled = await pullAll(await options({}, cache));
    expect(pulled.tars.map((t) => t.toString('hex'))).toEqual(layers().map((l) => l.tar.toString('hex')));
  });

  it('refuses a blob concurrency below 1 with CONFIG_INVALID', async () => {
    const err = await caught(pullAll(await options({ blobConcurrency: 0 })));
    expect(err.code).toBe('CONFIG_INVALID');
  });

  it('takes the concurrency from --blob-concurrency, then PORTCULLIS_BLOB_CONCURRENCY, else 3', () => {
    const env = { PORTCULLIS_BLOB_CONCURRENCY: '2' };
    expect(fromResolved(resolveImageOptions({}, {}, fx.work)).env.registry.blobConcurrency).toBe(3);
    expect(fromResolved(resolveImageOptions({}, env, fx.work)).env.registry.blobConcurrency).toBe(2);
    expect(
      fromResolved(resolveImageOptions({ blobConcurrency: '6' }, env, fx.work)).env.registry.blobConcurrency,
    ).toBe(6);
    for (const bad of ['0', '1.5', 'many', '33']) {
      expect(() => fromResolved(resolveImageOptions({ blobConcurrency: bad }, {}, fx.work))).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
  });
});
