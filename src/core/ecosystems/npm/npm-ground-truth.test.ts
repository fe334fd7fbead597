import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npmInstalledCataloger, npmLockCataloger } from './index.js';
import { hostGlob, nameVersions, parseHostFiles } from './test-support/host-fs.js';
import { cachedInstall, flattenLs, sh, type LsNode } from './test-support/npm-install.js';

const SPECS = ['minimist@1.2.0', 'node-fetch@2.6.0', 'jsonwebtoken@8.5.0', 'express@4'];
const [installed] = npmInstalledCataloger.parsers;
const [packageLock, yarnLock, pnpmLock] = npmLockCataloger.parsers;

async function installedSet(dir: string): Promise<{ set: string[]; problems: string[] }> {
  const files = await hostGlob(join(dir, 'node_modules'), '/**/package.json');
  const result = await parseHostFiles(installed!, files, dir);
  return { set: nameVersions(result), problems: result.problems };
}

// Installs hit the registry on the first run only (cached), but a fresh machine needs minutes.
describe('npm catalogers against a real npm install', { timeout: 300_000 }, () => {
  it('node_modules walker and lockfile v3 parser both equal npm ls --all', async () => {
    const dir = await cachedInstall(`npm-v3 ${SPECS.join(' ')}`, async (d) => {
      await sh('npm', ['install', '--prefix', d, '--no-audit', '--no-fund', ...SPECS], d);
    });
    const ls = JSON.parse(await sh('npm', ['ls', '--all', '--json', '--prefix', dir], dir)) as LsNode;
    const truth = [...flattenLs(ls)].sort();
    expect(truth.length).toBeGreaterThan(50);

    const walked = await installedSet(dir);
    expect(walked.set).toEqual(truth);

    const lock = await parseHostFiles(packageLock!, [join(dir, 'package-lock.json')]);
    expect(nameVersions(lock)).toEqual(truth);
    expect(lock.problems).toEqual([]);
    // every depends-on edge points at a package that exists in the lockfile
    const keys = new Set(lock.packages.map((p) => `npm/${p.name}@${p.version}`));
    expect(lock.relationships.length).toBeGreaterThan(50);
    for (const r of lock.relationships) expect(keys.has(r.to) && keys.has(r.from)).toBe(true);
    // express declares `body-parser` as a dependency; npm ls shows which version it resolved to
    const expressLs = (ls.dependencies ?? {}).express;
    const bodyParser = expressLs?.dependencies?.['body-parser']?.version;
    expect(lock.relationships).toContainEqual({
      from: `npm/express@${expressLs?.version}`,
      to: `npm/body-parser@${bodyParser}`,
      type: 'depends-on',
    });
    const minimist = lock.packages.find((p) => p.name === 'minimist');
    expect(minimist?.purl).toBe('pkg:npm/minimist@1.2.0');
  });

  it('lockfile v1 written by npm equals the node_modules it installed', async () => {
    const dir = await cachedInstall(`npm-v1 ${SPECS.join(' ')}`, async (d) => {
      await sh(
        'npm',
        ['install', '--prefix', d, '--no-audit', '--no-fund', '--lockfile-version', '1', ...SPECS],
        d,
      );
    });
    const lock = await parseHostFiles(packageLock!, [join(dir, 'package-lock.json')]);
    const raw = JSON.parse(await sh('cat', [join(dir, 'package-lock.json')], dir)) as {
      lockfileVersion: number;
    };
    expect(raw.lockfileVersion).toBe(1);
    expect(nameVersions(lock)).toEqual((await installedSet(dir)).set);
    expect(lock.relationships.length).toBeGreaterThan(50);
  });

  it('yarn classic lockfile equals the node_modules yarn@1 installed', async () => {
    const dir = await cachedInstall(`yarn1 ${SPECS.join(' ')}`, async (d) => {
      await writeFile(
        join(d, 'package.json'),
        JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
      );
      await sh('npx', ['--yes', 'yarn@1', 'add', '--no-progress', '--non-interactive', ...SPECS], d);
    });
    const lock = await parseHostFiles(yarnLock!, [join(dir, 'yarn.lock')]);
    expect(lock.problems).toEqual([]);
    expect(nameVersions(lock)).toEqual((await installedSet(dir)).set);
    expect(lock.relationships.length).toBeGreaterThan(50);
  });

  it('yarn berry lockfile equals the node_modules yarn@4 installed', async () => {
    const dir = await cachedInstall(`yarn4 ${SPECS.join(' ')}`, async (d) => {
      await writeFile(
        join(d, 'package.json'),
        JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
      );
      await writeFile(join(d, '.yarnrc.yml'), 'nodeLinker: node-modules\nenableTelemetry: false\n');
      await writeFile(join(d, 'yarn.lock'), '');
      await sh('npx', ['--yes', '@yarnpkg/cli-dist@4', 'add', ...SPECS], d);
    });
    const lock = await parseHostFiles(yarnLock!, [join(dir, 'yarn.lock')]);
    expect(lock.problems).toEqual([]);
    expect(nameVersions(lock)).toEqual((await installedSet(dir)).set);
    expect(lock.relationships.length).toBeGreaterThan(50);
  });

  it.each([
    ['pnpm@9', '9.0'],
    ['pnpm@8', '6.0'],
  ])('%s lockfile equals the packages it installed', async (pnpm, lockfileVersion) => {
    const dir = await cachedInstall(`${pnpm} ${SPECS.join(' ')}`, async (d) => {
      await writeFile(
        join(d, 'package.json'),
        JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
      );
      await sh('npx', ['--yes', pnpm, 'add', ...SPECS], d);
    });
    expect(await sh('grep', ['^lockfileVersion', join(dir, 'pnpm-lock.yaml')], dir)).toContain(
      lockfileVersion,
    );
    const lock = await parseHostFiles(pnpmLock!, [join(dir, 'pnpm-lock.yaml')]);
    expect(lock.problems).toEqual([]);
    // pnpm keeps one real copy per package under node_modules/.pnpm; the top level only has symlinks
    const files = await hostGlob(join(dir, 'node_modules', '.pnpm'), '/**/package.json');
    const walked = nameVersions(await parseHostFiles(installed!, files, dir));
    expect(nameVersions(lock)).toEqual(walked);
    expect(lock.relationships.length).toBeGreaterThan(50);
  });
});
