/**
 * Resumed blob downloads against the real docker-registry (which honours Range) behind the
 * fault proxy, which cuts a blob off after a known number of bytes. Ground truth: the layout
 * we built and pushed (blob bytes, tars), and the requests the proxy saw.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openImages } from '../../open.js';
import { startFaultProxy, type FaultContext } from '../../../../../test/harness/registry/fault-proxy.js';
import { type BuiltLayout } from '../../../../../test/harness/registry/oci-layout.js';
import {
  registryOpenOptions,
  type RegistryTestOverrides,
} from '../../../../../test/harness/registry/options.js';
import { useProxiedImage } from '../../../../../test/harness/registry/proxied-image.js';
import { caught, drain } from '../../../../../test/harness/registry/read-all.js';
import { blobCachePath } from './blob-cache.js';

/** Where the first answer is cut off. */
const CUT = 40_000;

const fx = useProxiedImage({
  name: 'resume',
  repository: 'app/resume:v1',
  // Random hex barely compresses, so the gzip blob is large enough to cut in the middle.
  layers: [{ 'big.txt': randomBytes(60_000).toString('hex') }, { 'small.txt': 'small\n' }],
});

const big = () => fx.built.images[0]?.layers[0] as NonNullable<BuiltLayout['images'][0]>['layers'][0];

async function options(over: RegistryTestOverrides = {}) {
  return registryOpenOptions(fx.registry, await mkdtemp(join(fx.work, 'cache-')), {
    timeoutMs: 5_000,
    ...over,
  });
}

const bigGets = () =>
  fx.proxy.seen.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${big().digest}`));

/** Answers the first `upTo` bytes of the upstream body with the full Content-Length, then drops the socket. */
async function cutOff({ req, res, upstream }: FaultContext, upTo: number): Promise<void> {
  const up = await upstream();
  res.writeHead(up.status, { ...up.headers, 'content-length': String(up.body.length) });
  res.write(up.body.subarray(0, upTo));
  setTimeout(() => req.socket.destroy(), 20);
}

/** Cuts the first request for the big blob; later ones go to `then`. */
function cutFirst(then: (ctx: FaultContext) => Promise<boolean> | boolean) {
  return async (ctx: FaultContext): Promise<boolean> => {
    if (!ctx.req.url?.endsWith(`/blobs/${big().digest}`)) return false;
    if (ctx.repeat > 0) return then(ctx);
    await cutOff(ctx, CUT);
    return true;
  };
}

/** The big layer's tar, or with `stored` its blob as stored (the stream checked against the blob digest). */
async function pullBig(opts: Awaited<ReturnType<typeof options>>, stored = false): Promise<Buffer> {
  const [image] = await openImages(`${fx.proxy.host}/app/resume:v1`, opts.env, opts.request);
  const [layer] = (await image?.layers()) ?? [];
  if (!layer) throw new Error('the image has no layers');
  return drain(await (stored ? layer.compressed() : layer.uncompressed()));
}

async function tempFiles(cacheDir: string): Promise<string[]> {
  const names = await readdir(join(cacheDir, 'blobs', 'sha256')).catch(() => [] as string[]);
  return names.filter((n) => n.includes('.tmp-'));
}

describe('resumed blob downloads', () => {
  it('asks for the rest with Range: bytes=N- after a cut, appends the 206, and verifies', async () => {
    const statuses: number[] = [];
    fx.proxy.fault = cutFirst(async ({ res, upstream }) => {
      const up = await upstream();
      statuses.push(up.status);
      res.writeHead(up.status, up.headers).end(up.body);
      return true;
    });
    const opts = await options();
    expect((await pullBig(opts)).equals(big().tar)).toBe(true);
    expect(bigGets().map((r) => r.range)).toEqual([undefined, `bytes=${CUT}-`]);
    // The real registry honoured the Range: only the rest crossed the wire the second time.
    expect(statuses).toEqual([206]);
    expect((await readFile(blobCachePath(opts.env.cacheDir, big().digest))).equals(big().bytes)).toBe(true);
    expect(await tempFiles(opts.env.cacheDir)).toEqual([]);
  });

  it('resumes a body that ends early without an error (short body)', async () => {
    fx.proxy.fault = async (ctx) => {
      if (!ctx.req.url?.endsWith(`/blobs/${big().digest}`) || ctx.repeat > 0) return false;
      const up = await ctx.upstream();
      // No Content-Length: chunked, so ending early is a clean end, not a socket error.
      ctx.res.writeHead(200, up.headers).end(up.body.subarray(0, CUT));
      return true;
    };
    expect((await pullBig(await options())).equals(big().tar)).toBe(true);
    expect(bigGets().map((r) => r.range)).toEqual([undefined, `bytes=${CUT}-`]);
  });

  it('asks nothing more when the connection breaks after the last byte', async () => {
    fx.proxy.fault = async ({ req, res, upstream }) => {
      if (!req.url?.endsWith(`/blobs/${big().digest}`)) return false;
      const up = await upstream();
      // One byte more announced than sent: the client sees a reset with the whole blob in hand.
      res.writeHead(200, { ...up.headers, 'content-length': String(up.body.length + 1) });
      res.write(up.body);
      setTimeout(() => req.socket.destroy(), 20);
      return true;
    };
    expect((await pullBig(await options())).equals(big().tar)).toBe(true);
    expect(bigGets()).toHaveLength(1);
  });

  it('starts over when the server ignores Range and answers 200', async () => {
    fx.proxy.fault = cutFirst(async ({ req, res, upstream }) => {
      delete req.headers.range;
      const up = await upstream();
      res.writeHead(up.status, up.headers).end(up.body);
      return true;
    });
    const opts = await options();
    expect((await pullBig(opts)).equals(big().tar)).toBe(true);
    expect(bigGets().map((r) => r.range)).toEqual([undefined, `bytes=${CUT}-`]);
    expect((await readFile(blobCachePath(opts.env.cacheDir, big().digest))).equals(big().bytes)).toBe(true);
  });

  it('starts over when a 206 covers another range than the one asked for', async () => {
    fx.proxy.fault = cutFirst(async ({ req, res, upstream, repeat }) => {
      if (repeat > 1 || !req.headers.range) return false;
      delete req.headers.range;
      const up = await upstream();
      const last = up.body.length - 1;
      res
        .writeHead(206, { ...up.headers, 'content-range': `bytes 0-${last}/${up.body.length}` })
        .end(up.body);
      return true;
    });
    expect((await pullBig(await options())).equals(big().tar)).toBe(true);
    expect(bigGets().map((r) => r.range)).toEqual([undefined, `bytes=${CUT}-`, undefined]);
  });

  it('fails a corrupt resumed tail with DIGEST_MISMATCH naming the resume, and caches nothing', async () => {
    fx.proxy.fault = cutFirst(async ({ res, upstream }) => {
      const up = await upstream();
      const body = Buffer.from(up.body);
      body[body.length - 5] = (body[body.length - 5] as number) ^ 0xff;
      res.writeHead(up.status, up.headers).end(body);
      return true;
    });
    const opts = await options();
    // Read as stored: gunzip would trip over the bad bytes before the digest is complete.
    const err = await caught(pullBig(opts, true));
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(err.message).toContain(big().digest);
    expect(err.message).toContain(`resumed at byte ${CUT}`);
    await expect(readFile(blobCachePath(opts.env.cacheDir, big().digest))).rejects.toThrow(/ENOENT/);
    expect(await tempFiles(opts.env.cacheDir)).toEqual([]);
  });

  it('gives up after the configured retries with REGISTRY_UNREACHABLE and no temp file', async () => {
    let served = 0;
    fx.proxy.fault = async (ctx) => {
      if (!ctx.req.url?.endsWith(`/blobs/${big().digest}`)) return false;
      // Each attempt gets a little further, so every retry is a resume from a new offset.
      served += 5_000;
      await cutOff(ctx, served);
      return true;
    };
    const opts = await options({ retries: 2 });
    const err = await caught(pullBig(opts));
    expect(err.code).toBe('REGISTRY_UNREACHABLE');
    expect(err.message).toContain(big().digest);
    expect(bigGets()).toHaveLength(3);
    expect(bigGets()[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(await tempFiles(opts.env.cacheDir)).toEqual([]);
  });

  it('sends the Range to blob storage behind a redirect, and the credentials only to the registry', async () => {
    const creds = { username: 'resume-user', password: 'resume-pass' };
    const guarded = await startFaultProxy(fx.registry.host, creds);
    const store = await startRangeStore(big().bytes, CUT);
    try {
      guarded.fault = ({ req, res }) => {
        if (!req.url?.endsWith(`/blobs/${big().digest}`)) return false;
        res.writeHead(307, { location: `http://${store.host}/blob?signature=x` }).end();
        return true;
      };
      const opts = await options({ credentials: { [guarded.host]: creds } });
      const [image] = await openImages(`${guarded.host}/app/resume:v1`, opts.env, opts.request);
      const [layer] = (await image?.layers()) ?? [];
      expect(layer && (await drain(await layer.uncompressed())).equals(big().tar)).toBe(true);
      expect(store.seen.map((r) => r.range)).toEqual([undefined, `bytes=${CUT}-`]);
      expect(store.seen.map((r) => r.authorization)).toEqual([undefined, undefined]);
      const atRegistry = guarded.seen.filter((r) => r.path.endsWith(`/blobs/${big().digest}`));
      expect(atRegistry.map((r) => r.range)).toEqual([undefined, `bytes=${CUT}-`]);
      expect(atRegistry.every((r) => r.authorization?.startsWith('Basic '))).toBe(true);
    } finally {
      await store.close();
      await guarded.close();
    }
  });
});

/** Blob storage that honours `Range: bytes=N-` and cuts its first answer off after `cut` bytes. */
async function startRangeStore(blob: Buffer, cut: number) {
  const seen: Array<{ range: string | undefined; authorization: string | undefined }> = [];
  const server = createServer((req, res) => {
    seen.push({ range: req.headers.range, authorization: req.headers.authorization });
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const body = blob.subarray(from);
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(body.length) };
    if (from > 0) {
      res.writeHead(206, { ...headers, 'content-range': `bytes ${from}-${blob.length - 1}/${blob.length}` });
      res.end(body);
      return;
    }
    res.writeHead(200, headers);
    res.write(body.subarray(0, cut));
    if (seen.length === 1) setTimeout(() => req.socket.destroy(), 20);
    else res.end(body.subarray(cut));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
