/**
 * SIGINT / SIGTERM during `portcullis scan` of a compressed archive (a real child process):
 * the command stops, removes its temp spill, keeps no partial cache entry and exits 130 / 143.
 * Before the fix, the spill (63–176 MB) stayed behind in the temp directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage } from '../../test/harness/fixtures/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
let root: string;
let archive: string;

beforeAll(async () => {
  const fixture = await getFixtureImage('app');
  root = await mkdtemp(join(tmpdir(), 'pc-interrupt-'));
  archive = join(root, 'app.tar.gz');
  const out = createWriteStream(archive);
  const gzip = spawn('gzip', ['-1', '-c', fixture.dockerArchive], { stdio: ['ignore', 'pipe', 'inherit'] });
  gzip.stdout.pipe(out);
  await once(out, 'close');
}, 600_000);
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Files under `dir`, except tsx's compile cache (the test runs the CLI from source through tsx). */
async function filesUnder(dir: string): Promise<{ path: string; size: number }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return Promise.all(
    entries
      .filter((e) => e.isFile() && !relative(dir, e.parentPath).startsWith('tsx-'))
      .map(async (e) => {
        const path = join(e.parentPath, e.name);
        return { path, size: (await stat(path).catch(() => ({ size: 0 }))).size };
      }),
  );
}

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('portcullis scan interrupted by %s', (signal, exitCode) => {
  it(`removes the temp spill, keeps no partial cache entry and exits ${exitCode}`, async () => {
    const work = await mkdtemp(join(root, `${signal}-`));
    const temp = join(work, 'tmp');
    const cache = join(work, 'cache');
    await mkdir(temp);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'scan',
        `docker-archive:${archive}`,
        '--cache-dir',
        cache,
        '--allow-no-vuln-data',
      ],
      { cwd: ROOT, env: { ...process.env, TMPDIR: temp }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    // Mid-analysis: the archive is being decompressed into the temp dir.
    let spilled = false;
    for (let i = 0; i < 1200 && !spilled; i++) {
      spilled = (await filesUnder(temp)).some((f) => f.size > 1024 * 1024);
      if (!spilled) await new Promise((r) => setTimeout(r, 25));
    }
    expect(spilled, `no spill appeared under ${temp}; stderr: ${err}`).toBe(true);
    child.kill(signal);
    const [code] = await exited;
    expect(code, err).toBe(exitCode);
    expect(err).toContain('interrupted');
    expect(await filesUnder(temp)).toEqual([]);
    // The embedded database may exist; no layer or result entry, no in-flight temp file.
    const cached = (await filesUnder(cache)).filter((f) => !f.path.startsWith(join(cache, 'db')));
    expect(cached).toEqual([]);
  });
});

describe('the same scan, uninterrupted', () => {
  it('completes and leaves the temp dir empty (the checks above can fail)', async () => {
    const temp = join(root, 'plain-tmp');
    execFileSync('mkdir', ['-p', temp]);
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'scan',
        `docker-archive:${archive}`,
        '--cache-dir',
        join(root, 'plain-cache'),
        '--allow-no-vuln-data',
        '-o',
        'json',
      ],
      { cwd: ROOT, env: { ...process.env, TMPDIR: temp }, maxBuffer: 256 * 1024 * 1024 },
    ).toString();
    expect((JSON.parse(out) as { database: { available: boolean } }).database.available).toBe(false);
    expect(await filesUnder(temp)).toEqual([]);
  });
});
