/**
 * The terminal progress line. On a stream that says it is a terminal, a real analysis draws
 * stage, layer i/n and the bytes read (the last count of each layer equals the layer's
 * uncompressed size, gunzip as ground truth); on a pipe, or with --quiet, nothing is drawn.
 * A real `portcullis` process with stderr on a pipe writes no progress at all.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../test/harness/fixtures/index.js';
import { resolveImageOptions } from '../config/index.js';
import { fromResolved, imageParts } from '../core/image/test-support/image-options.js';
import { analyze, type PipelineObserver } from '../core/pipeline/index.js';
import { formatSize } from '../core/cache/size.js';
import { progressLine, progressObserver, type ProgressStream } from './progress.js';

const run = promisify(execFile);

class FakeStream implements ProgressStream {
  readonly writes: string[] = [];
  constructor(readonly isTTY: boolean) {}
  readonly columns = 200;
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

/** A clock a second further on at each reading: the throttle never holds a redraw back. */
const steppingClock = () => {
  let t = 0;
  return () => (t += 1000);
};

let fixture: FixtureImage;
let temp: string;

beforeAll(async () => {
  fixture = await getFixtureImage('base');
  temp = await mkdtemp(join(tmpdir(), 'portcullis-progress-'));
});
afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

async function analyzeWith(observer: PipelineObserver): Promise<void> {
  const tempDir = await mkdtemp(join(temp, 'analysis-'));
  await analyze({
    subject: { kind: 'image', source: `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}` },
    // No layer cache: every layer streams, as on a first pull.
    ...imageParts(fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, tempDir))),
    catalog: { layerCache: false },
    observer,
  });
}

describe('the progress line', () => {
  it('on a terminal: stage, layer i/n and bytes, rewritten in place', async () => {
    const stream = new FakeStream(true);
    const warnings: string[] = [];
    const line = progressLine(stream, steppingClock());
    await analyzeWith(progressObserver({ warning: (m) => warnings.push(m) }, line));
    line.clear();
    expect(stream.writes.length).toBeGreaterThan(2);
    expect(stream.writes.every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    const source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
    expect(stream.writes.some((w) => w.includes(`opening ${source}`))).toBe(true);
    const layers = fixture.hostManifest.layers;
    for (const [i, layer] of layers.entries()) {
      const blob = await readFile(join(fixture.ociLayoutDir, 'blobs', ...layer.digest.split(':')));
      const size = gunzipSync(blob).length;
      const drawn = stream.writes.filter((w) => w.includes(`: layer ${i + 1}/${layers.length}, `));
      expect(drawn.at(-1), `layer ${i + 1}`).toContain(`, ${formatSize(size)}`);
    }
    expect(stream.writes.at(-1)).toBe('\r\x1b[K');
  });

  it('on a pipe, or once disabled (--quiet), draws nothing', async () => {
    const pipe = new FakeStream(false);
    await analyzeWith(progressObserver({}, progressLine(pipe, steppingClock())));
    expect(pipe.writes).toEqual([]);
    const quiet = new FakeStream(true);
    const line = progressLine(quiet, steppingClock());
    line.disable();
    await analyzeWith(progressObserver({}, line));
    expect(quiet.writes).toEqual([]);
  });

  it('clears itself before a warning, which then starts on a clean line', () => {
    const stream = new FakeStream(true);
    const order: string[] = [];
    const line = progressLine({ ...stream, isTTY: true, write: (t) => (order.push(t), true) });
    const observer = progressObserver({ warning: (m) => order.push(`warning: ${m}`) }, line);
    observer.stage?.('catalog', { source: 'dir:/x' });
    observer.warning?.('slow');
    expect(order).toEqual(['\rcataloging dir:/x\x1b[K', '\r\x1b[K', 'warning: slow']);
  });

  it('a real portcullis process with stderr on a pipe writes no progress', async () => {
    const root = join(temp, 'rootfs');
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc/hello.txt'), 'hello\n');
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        '--cache-dir',
        join(temp, 'cli-cache'),
        'sbom',
        `dir:${root}`,
        '-o',
        'native',
      ],
      { maxBuffer: 64 << 20 },
    );
    expect(JSON.parse(child.stdout)).toHaveProperty('packages');
    expect(child.stderr).toBe('');
  }, 120_000);
});
