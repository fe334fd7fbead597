/**
 * `@cyclonedx/cdxgen` as a baseline, installed into the benchmark's own ignored folder
 * (bench/.bench/tools, never the project's package.json) the first time it is needed, and run
 * offline: no dependency installs, no license or package-metadata fetches.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOLS_DIR = fileURLToPath(new URL('./.bench/tools/', import.meta.url));
const CDXGEN_BIN = join(TOOLS_DIR, 'node_modules', '.bin', 'cdxgen');

function exec(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${cmd} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().slice(-2000)}`,
            ),
          ),
    );
  });
}

/** Path of the cdxgen executable, installing it with npm into bench/.bench/tools if missing. */
export async function ensureCdxgen(): Promise<string> {
  if (existsSync(CDXGEN_BIN)) return CDXGEN_BIN;
  await mkdir(TOOLS_DIR, { recursive: true });
  if (!existsSync(join(TOOLS_DIR, 'package.json')))
    await writeFile(join(TOOLS_DIR, 'package.json'), '{ "private": true }\n');
  process.stderr.write('installing @cyclonedx/cdxgen into bench/.bench/tools (once)\n');
  await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefix', TOOLS_DIR, '@cyclonedx/cdxgen'],
    process.env,
    TOOLS_DIR,
  );
  return CDXGEN_BIN;
}

/** `cdxgen -t docker <archive>` writing a CycloneDX 1.6 BOM to `output`; temp files under `tempDir`. */
export async function runCdxgen(
  bin: string,
  archive: string,
  output: string,
  tempDir: string,
): Promise<void> {
  await exec(
    bin,
    ['-t', 'docker', '--no-install-deps', '--no-validate', '--spec-version', '1.6', '-o', output, archive],
    {
      ...process.env,
      TMPDIR: tempDir,
      FETCH_LICENSE: 'false',
      CDXGEN_FETCH_PKG_METADATA: 'false',
      GO_FETCH_VCS: 'false',
    },
    tempDir,
  );
}
