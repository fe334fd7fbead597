/**
 * Cancelling an analysis: a real fixture image, aborted as soon as its first layer starts
 * streaming, stops promptly with ABORTED and leaves no layer-cache entry and no temp file.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { resolveImageOptions } from '../../config/index.js';
import { imageParts, fromResolved } from '../image/test-support/image-options.js';
import { isPortcullisError } from '../errors.js';
import { analyze, type AnalyzeRequest } from './analyze.js';

let fixture: FixtureImage;
let root: string;

beforeAll(async () => {
  fixture = await getFixtureImage('app');
  root = await mkdtemp(join(tmpdir(), 'pc-analyze-abort-'));
}, 600_000);
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function request(
  name: string,
): Promise<{ request: AnalyzeRequest; cacheDir: string; tempDir: string }> {
  const work = await mkdtemp(join(root, `${name}-`));
  const cacheDir = join(work, 'cache');
  const tempDir = join(work, 'temp');
  await mkdir(tempDir, { recursive: true });
  return {
    request: {
      subject: { kind: 'image', source: `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}` },
      ...imageParts(fromResolved(resolveImageOptions({ cacheDir }, {}, tempDir))),
      catalog: { layerCache: true },
    },
    cacheDir,
    tempDir,
  };
}

describe('analyze with an AbortSignal', () => {
  it('stops mid-layer with ABORTED, without a cache entry or temp file', async () => {
    const { request: base, cacheDir, tempDir } = await request('aborted');
    const controller = new AbortController();
    let abortedAt = 0;
    const started: number[] = [];
    const outcome = await analyze({
      ...base,
      signal: controller.signal,
      observer: {
        layerStarted({ index }) {
          started.push(index);
          if (index === 0) {
            abortedAt = performance.now();
            controller.abort(new Error('test cancels'));
          }
        },
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    const elapsed = performance.now() - abortedAt;
    expect(isPortcullisError(outcome, 'ABORTED'), String(outcome)).toBe(true);
    expect(started[0]).toBe(0);
    // A generous bound for a busy machine; the figure itself is measured in the report.
    expect(elapsed).toBeLessThan(5_000);
    expect(await filesUnder(cacheDir)).toEqual([]);
    expect(await filesUnder(tempDir)).toEqual([]);
  });

  it('the same analysis without a cancel fills the layer cache (the check above can fail)', async () => {
    const { request: base, cacheDir } = await request('complete');
    const { document } = await analyze(base);
    expect(document.packages.length).toBeGreaterThan(50);
    expect((await filesUnder(cacheDir)).filter((f) => f.endsWith('.bin')).length).toBeGreaterThan(0);
  });

  it('rejects at once when the signal already fired', async () => {
    const { request: base } = await request('pre-aborted');
    const controller = new AbortController();
    controller.abort();
    await expect(analyze({ ...base, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
