/**
 * Issue 10 point 8, measured as a user meets it: whole `portcullis` processes through
 * bin/portcullis.js. Start-up (`--version`) beside bare `node -e 0` (target: within 0.15 s of
 * it), and a warm re-scan of the `app` fixture, already analysed so every layer is a cache
 * hit, with the shared mirror's feeds loaded (target: at most 0.5 s for the whole process).
 * The launcher runs dist/ when it is built; a missing build is made first, since timing the
 * tsx fallback would measure the TypeScript loader, not the CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
import { SHARED_DATA } from '../test/support/shared-data.js';
import type { Benchmark } from './types.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'portcullis.js');
const MAX_BUFFER = 256 * 1024 * 1024;

export async function ensureBuilt(): Promise<void> {
  if (existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) return;
  await run('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: MAX_BUFFER });
}

/** `portcullis <args>` in a process of its own; stdout discarded, a failure thrown with stderr. */
async function portcullis(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await run(process.execPath, [BIN, ...args], { env, maxBuffer: MAX_BUFFER });
}

const bareNode = async () => {
  await run(process.execPath, ['-e', '0']);
};

export const cliStartBenchmark: Benchmark = {
  name: 'cli-start-version',
  baselineLabel: 'node -e 0',
  targetOverBaselineMs: 150,
  runs: 15,
  async prepare() {
    await ensureBuilt();
    return { measure: () => portcullis(['--version']), baseline: bareNode };
  },
};

export const cliWarmRescanBenchmark: Benchmark = {
  name: 'cli-warm-rescan-app',
  baselineLabel: 'node -e 0',
  targetMs: 500,
  runs: 7,
  async prepare() {
    await ensureBuilt();
    const temp = await mkdtemp(join(tmpdir(), 'portcullis-bench-cli-'));
    const cacheDir = join(temp, 'cache');
    // The embedded database under the scratch cache dir, whatever the machine is set up with.
    const env = { ...process.env };
    delete env.PORTCULLIS_DB_URL;
    const fixture = await getFixtureImage('app');
    const scan = ['--cache-dir', cacheDir, 'scan', `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`];
    await portcullis(['--cache-dir', cacheDir, 'db', 'update', '--mirror', SHARED_DATA], env);
    await portcullis([...scan, '-o', 'json'], env); // the analysis that fills the layer cache
    return {
      measure: () => portcullis([...scan, '-o', 'json'], env),
      baseline: bareNode,
      cleanup: () => rm(temp, { recursive: true, force: true }),
    };
  },
};
