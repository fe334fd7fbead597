/**
 * The release artefact: `npm pack` of this checkout ships only what `files` names (the compiled
 * CLI, schemas, CHANGELOG; no tests, fixtures or sources), installs into an empty directory with
 * its dependencies from the npm registry, and runs (`npx portcullis --version`). One version
 * names the package, the CLI and the CHANGELOG's newest section.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { PORTCULLIS_VERSION } from '../../src/core/version.js';
import { packRepository, REPO_ROOT } from '../../scripts/image/app.js';

const exec = promisify(execFile);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-pack-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

/** The environment without what `npx vitest` sets for npm (npm_config_*, npm_package_*). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

describe('version', () => {
  it('is the same in package.json, the CLI and the CHANGELOG', async () => {
    expect(PORTCULLIS_VERSION).toBe(packageJson.version);
    expect(packageJson.version).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
    const changelog = await readFile(join(REPO_ROOT, 'CHANGELOG.md'), 'utf8');
    const newest = /^## \[([^\]]+)\]/m.exec(changelog)?.[1];
    // Before a release the newest section is "Unreleased" and says which version it becomes.
    if (newest === 'Unreleased') expect(changelog).toContain(`as ${packageJson.version}`);
    else expect(newest).toBe(packageJson.version);
  });
});

describe('npm pack', () => {
  it('ships bin, dist and schema only, installs in an empty directory and runs npx portcullis --version', async () => {
    const tarball = await packRepository(join(root, 'pack'));
    expect(tarball).toMatch(new RegExp(`portcullis-${packageJson.version}\\.tgz$`));
    const { stdout: listing } = await exec('tar', ['--list', '--gzip', `--file=${tarball}`]);
    const files = listing.trim().split('\n');
    const top = new Set(files.map((f) => f.split('/')[1]));
    expect([...top].sort()).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'bin',
      'dist',
      'package.json',
      'schema',
    ]);
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/bin/portcullis.js');
    const testFiles = files.filter((f) => /\.test\.|test-support|__fixtures__|__golden__|\.ts$/.test(f));
    expect(testFiles).toEqual([]);

    const app = join(root, 'clean');
    await exec('mkdir', ['-p', app]);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'clean', private: true }));
    await exec(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball],
      {
        cwd: app,
        env: cleanEnv(),
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const { stdout } = await exec('npx', ['--no-install', 'portcullis', '--version'], {
      cwd: app,
      env: cleanEnv(),
    });
    expect(stdout.trim()).toBe(packageJson.version);
  });
});
