/**
 * Two real processes and one blob cache: pulls running side by side each write their own
 * temp file and both end with the verified blob in place; a pull killed mid-download leaves
 * a temp file that a sweep keeps while its writer lives and removes once it is dead.
 * The fault proxy holds the big blob half-sent, so the timing is ours, not the scheduler's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BuiltLayout } from '../../../../../test/harness/registry/oci-layout.js';
import { useProxiedImage } from '../../../../../test/harness/registry/proxied-image.js';
import { blobCachePath, sweepStaleTemps } from './blob-cache.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CHILD = join(ROOT, 'test/harness/registry/pull-in-child.ts');

const children = new Set<ChildProcess>();

const fx = useProxiedImage({
  name: 'processes',
  repository: 'app/procs:v1',
  layers: [{ 'big.txt': randomBytes(100_000).toString('hex') }, { 'small.txt': 'small\n' }],
  beforeStop: () => {
    for (const child of children) child.kill('SIGKILL');
  },
});

const big = () => fx.built.images[0]?.layers[0] as NonNullable<BuiltLayout['images'][0]>['layers'][0];

/** Holds the big blob half-sent until the returned `release` is called. */
function holdBigBlob(): () => void {
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  fx.proxy.fault = async ({ req, res, upstream }) => {
    if (!req.url?.endsWith(`/blobs/${big().digest}`)) return false;
    const up = await upstream();
    const half = up.body.length >> 1;
    res.writeHead(200, { ...up.headers, 'content-length': String(up.body.length) });
    res.write(up.body.subarray(0, half));
    await released;
    res.end(up.body.subarray(half));
    return true;
  };
  return release;
}

function pullInChild(cacheDir: string): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, `${fx.proxy.host}/app/procs:v1`, cacheDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = once(child, 'exit').then(([code]) => {
    children.delete(child);
    return `${String(code)} ${out.trim()}`;
  });
  return { child, done };
}

/** Waits until `child` has a temp file for the big blob in `cacheDir`, and returns its path. */
async function tempOf(child: ChildProcess, cacheDir: string): Promise<string> {
  const dir = join(cacheDir, 'blobs', 'sha256');
  for (let i = 0; i < 400; i++) {
    const names = await readdir(dir).catch(() => [] as string[]);
    const mine = names.find((n) => n.startsWith(`${big().digest.slice(7)}.tmp-${child.pid}-`));
    if (mine) return join(dir, mine);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${child.pid} never started writing the big blob`);
}

async function tempFiles(cacheDir: string): Promise<string[]> {
  const names = await readdir(join(cacheDir, 'blobs', 'sha256')).catch(() => [] as string[]);
  return names.filter((n) => n.includes('.tmp-'));
}

describe('processes sharing a blob cache', () => {
  it('pulls side by side into one cache: separate temp files, one verified blob', async () => {
    const release = holdBigBlob();
    const cache = await mkdtemp(join(fx.work, 'shared-'));
    const a = pullInChild(cache);
    const b = pullInChild(cache);
    const temps = [await tempOf(a.child, cache), await tempOf(b.child, cache)];
    expect(new Set(temps).size).toBe(2);
    release();
    expect(await a.done).toBe('0 pulled');
    expect(await b.done).toBe('0 pulled');
    expect((await readFile(blobCachePath(cache, big().digest))).equals(big().bytes)).toBe(true);
    expect(await tempFiles(cache)).toEqual([]);
  }, 60_000);

  it('keeps the temp file of a live writer, and sweeps it once the writer is killed', async () => {
    const release = holdBigBlob();
    const cache = await mkdtemp(join(fx.work, 'killed-'));
    const { child, done } = pullInChild(cache);
    const temp = await tempOf(child, cache);
    // Age 0: only the writer being alive protects the file.
    expect((await sweepStaleTemps(cache, 0)).kept).toContain(temp);
    child.kill('SIGKILL');
    await done;
    release();
    expect(await tempFiles(cache)).toContain(basename(temp)); // a crash cleans nothing up itself
    expect((await sweepStaleTemps(cache, 0)).removed).toContain(temp);
    expect(await tempFiles(cache)).toEqual([]);
  }, 60_000);
});
