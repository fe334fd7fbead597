/**
 * Sweeping temp files out of the blob cache: stale ones whose writer is gone are removed,
 * fresh ones and ones a live process holds are kept, finished blobs are never touched; and
 * opening a registry image sweeps its cache.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImages } from '../../open.js';
import { buildOciLayout } from '../../../../../test/harness/registry/oci-layout.js';
import { registryOpenOptions } from '../../../../../test/harness/registry/options.js';
import { pushImage } from '../../../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../../../test/harness/registry/start-registry.js';
import { blobTempPath, STALE_TEMP_MS, sweepStaleTemps } from './blob-cache.js';
import { pair } from '../../test-support/image-options.js';

const HEX = 'ab'.repeat(32);
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-blob-cache-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The pid of a process that has exited (so nothing holds its temp files). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

/** Writes `name` into the cache's sha256 dir with an mtime `ageMs` in the past. */
async function plant(cacheDir: string, name: string, ageMs: number): Promise<string> {
  const dir = join(cacheDir, 'blobs', 'sha256');
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, 'partial');
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
  return path;
}

describe('blob cache sweep', () => {
  it('removes stale temps of dead writers and keeps fresh, live-owned and finished files', async () => {
    const cache = await mkdtemp(join(work, 'cache-'));
    const old = STALE_TEMP_MS + 60_000;
    const dead = await deadPid();
    const staleDead = await plant(cache, `${HEX}.tmp-${dead}-0f1e2d3c-aaaa-4bbb-8ccc-123456789abc`, old);
    const staleUnmarked = await plant(cache, `${HEX}.tmp-0f1e2d3c-aaaa-4bbb-8ccc-123456789abc`, old);
    const freshDead = await plant(cache, `${HEX}.tmp-${dead}-11111111-aaaa-4bbb-8ccc-123456789abc`, 1_000);
    // Our own pid: a live process that may still be writing, however old the file looks.
    const staleLive = await plant(cache, basename(blobTempPath(HEX)), old);
    const finished = await plant(cache, HEX, old);

    const result = await sweepStaleTemps(cache);
    expect(result.removed.sort()).toEqual([staleDead, staleUnmarked].sort());
    expect(result.kept.sort()).toEqual([freshDead, staleLive].sort());
    const left = await readdir(join(cache, 'blobs', 'sha256'));
    expect(left.sort()).toEqual([freshDead, staleLive, finished].map((p) => basename(p)).sort());
  });

  it('sweeps nothing, and does not fail, when the cache does not exist yet', async () => {
    expect(await sweepStaleTemps(join(work, 'never-created'))).toEqual({ removed: [], kept: [] });
  });

  describe('on opening a registry image', () => {
    let registry: TestRegistry;

    beforeAll(async () => {
      const built = await buildOciLayout(join(work, 'layout'), 'v1', [
        { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ 'a.txt': 'a\n' }] },
      ]);
      registry = await startRegistry('plain');
      await pushImage(registry, `oci:${built.dir}:v1`, 'app/sweep:v1');
    });

    afterAll(async () => {
      await registry?.stop();
    });

    it('sweeps the stale temps of its cache first', async () => {
      const cache = await mkdtemp(join(work, 'open-'));
      const dead = await deadPid();
      const stale = await plant(
        cache,
        `${HEX}.tmp-${dead}-22222222-aaaa-4bbb-8ccc-123456789abc`,
        STALE_TEMP_MS * 2,
      );
      const fresh = await plant(cache, `${HEX}.tmp-${dead}-33333333-aaaa-4bbb-8ccc-123456789abc`, 0);
      await openImages(`${registry.host}/app/sweep:v1`, ...pair(registryOpenOptions(registry, cache)));
      const left = await readdir(join(cache, 'blobs', 'sha256'));
      expect(left).toContain(basename(fresh));
      expect(left).not.toContain(basename(stale));
    });
  });
});
