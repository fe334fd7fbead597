import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostContext, nameVersions } from '../npm/test-support/host-fs.js';
import { parseComposerLock, parseInstalledJson } from './parse-composer.js';

let dir: string;
let app: string;
const composerEnv = () => ({
  ...process.env,
  COMPOSER_HOME: join(dir, 'home'),
  COMPOSER_NO_INTERACTION: '1',
});

/** `composer show` is the reference reader of both files. */
function composerShow(...flags: string[]): string[] {
  const out = JSON.parse(
    execFileSync('composer', ['show', '--format=json', ...flags], {
      cwd: app,
      env: composerEnv(),
      encoding: 'utf8',
    }),
  ) as {
    installed?: { name: string; version: string }[];
    locked?: { name: string; version: string }[];
  };
  return (out.installed ?? out.locked ?? []).map((p) => `${p.name}@${p.version}`).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-php-'));
  const pkgs: Record<string, object> = {
    a: { name: 'acme/a', version: '1.2.0', license: 'MIT', require: { 'acme/b': '^2.0', php: '>=7' } },
    b: { name: 'acme/b', version: '2.1.3', license: ['BSD-3-Clause'] },
    c: { name: 'acme/c', version: '0.9.0', require: { 'acme/b': '*' } },
  };
  for (const [d, manifest] of Object.entries(pkgs)) {
    await mkdir(join(dir, 'pkgs', d), { recursive: true });
    await writeFile(join(dir, 'pkgs', d, 'composer.json'), JSON.stringify(manifest));
  }
  app = join(dir, 'app');
  await mkdir(app);
  // Path repositories and no Packagist: a real Composer run without the network.
  await writeFile(
    join(app, 'composer.json'),
    JSON.stringify({
      name: 'acme/app',
      repositories: [
        { 'packagist.org': false },
        { type: 'path', url: '../pkgs/*', options: { symlink: false } },
      ],
      require: { 'acme/a': '^1.0' },
      'require-dev': { 'acme/c': '*' },
    }),
  );
  execFileSync('composer', ['update', '--no-progress'], { cwd: app, env: composerEnv(), stdio: 'pipe' });
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('composer files against composer show', () => {
  it('composer.lock equals composer show --locked, dev packages flagged as composer --no-dev sees them', async () => {
    const path = join(app, 'composer.lock');
    const result = await parseComposerLock({ path, contents: await readFile(path) }, hostContext());
    expect(result.problems).toEqual([]);
    expect(nameVersions(result)).toEqual(composerShow('--locked'));
    const prod = result.packages
      .filter((p) => p.metadata.dev !== true)
      .map((p) => `${p.name}@${p.version}`)
      .sort();
    expect(prod).toEqual(composerShow('--locked', '--no-dev'));
    expect(result.packages.find((p) => p.name === 'acme/a')).toMatchObject({
      purl: 'pkg:composer/acme/a@1.2.0',
      licenses: ['MIT'],
    });
    expect(result.relationships).toContainEqual({
      from: 'php/acme/a@1.2.0',
      to: 'php/acme/b@2.1.3',
      type: 'depends-on',
    });
  });

  it('vendor/composer/installed.json (Composer 2 format) equals composer show', async () => {
    const path = join(app, 'vendor', 'composer', 'installed.json');
    const text = await readFile(path);
    const result = await parseInstalledJson({ path, contents: text }, hostContext());
    expect(result.problems).toEqual([]);
    expect(nameVersions(result)).toEqual(composerShow());
    expect(result.packages.find((p) => p.name === 'acme/c')?.metadata.dev).toBe(true);

    // Composer 1 wrote the same package objects as a bare array.
    const v1 = JSON.stringify((JSON.parse(text.toString('utf8')) as { packages: unknown[] }).packages);
    const old = await parseInstalledJson({ path, contents: Buffer.from(v1) }, hostContext());
    expect(nameVersions(old)).toEqual(composerShow());
  });

  it.each([
    ['broken JSON', '{"packages": ['],
    ['wrong type', '"a string"'],
    ['entry without version', '{"packages": [{"name": "x/y"}]}'],
  ])('%s is a recorded problem', async (_label, text) => {
    for (const parse of [parseComposerLock, parseInstalledJson]) {
      const result = await parse({ path: '/srv/composer.lock', contents: Buffer.from(text) }, hostContext());
      expect(result.packages).toEqual([]);
      expect(result.problems[0]).toContain('/srv/composer.lock');
    }
  });
});
