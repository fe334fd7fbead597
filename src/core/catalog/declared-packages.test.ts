/**
 * A directory scan (`dir:`) may be a source tree, where a lock file is the only evidence of a
 * package: its entries stay, marked `declaredOnly`, and equal what Bundler and npm read from
 * the same lock files. Installed packages are still the ones RubyGems and `npm ls` list.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { resolveImageOptions } from '../../config/index.js';
import { fromResolved, catalogRead } from '../image/test-support/image-options.js';
import { openImage } from '../image/open.js';
import type { SbomDocument } from '../sbom/document.js';
import { catalogImage } from './catalog-image.js';
import { ALL_CATALOGERS } from './catalogers.js';
import { bundlerLockTruth, gemTruth, lockFiles, npmTruth } from './test-support/installed-truth.js';

describe('declared packages in a directory scan of the app fixture rootfs', { timeout: 120_000 }, () => {
  let fixture: FixtureImage;
  let temp: string;
  let doc: SbomDocument;
  const set = (pkgs: SbomDocument['packages']) => new Set(pkgs.map((p) => `${p.name}@${p.version}`));
  const declaredIn = (path: string) =>
    doc.packages.filter((p) => p.declaredOnly && p.locations[0]?.path === path);

  beforeAll(async () => {
    fixture = await getFixtureImage('app');
    temp = await mkdtemp(join(tmpdir(), 'portcullis-declared-'));
    const open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
    const image = await openImage(`dir:${fixture.rootfsDir}`, open.env, open.request);
    doc = await catalogImage(image, catalogRead(open), {
      catalogers: ALL_CATALOGERS,
      scope: 'squashed',
      digestMaxBytes: 0,
      captureMaxBytes: 256 << 20,
    });
  }, 120_000);
  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('each Gemfile.lock shipped in a gem: its entries as Bundler parses them, declared only', () => {
    const locks = lockFiles(fixture.rootfsDir, 'Gemfile.lock');
    expect(locks.length).toBeGreaterThan(1);
    for (const lock of locks) {
      expect(set(declaredIn(lock))).toEqual(bundlerLockTruth(fixture.rootfsDir, lock));
    }
  });

  it("the VS Code extension's package-lock.json and manifest: what npm reads, declared only", () => {
    const lock = lockFiles(fixture.rootfsDir, 'package-lock.json').find((l) => l.includes('/vscode/'));
    expect(lock).toBeDefined();
    const dir = posix.dirname(lock as string);
    // nothing of the extension is installed, so its own manifest is declared as well
    const declared = [...declaredIn(lock as string), ...declaredIn(`${dir}/package.json`)];
    expect(set(declared)).toEqual(npmTruth(join(fixture.rootfsDir, dir), { lockOnly: true }));
  });

  it('the installed packages are exactly those RubyGems and npm ls list', () => {
    const installed = doc.packages.filter((p) => !p.declaredOnly);
    expect(set(installed.filter((p) => p.type === 'gem'))).toEqual(gemTruth(fixture.rootfsDir));
    expect(set(installed.filter((p) => p.type === 'npm'))).toEqual(npmTruth(join(fixture.rootfsDir, 'app')));
  });

  it("the application's lock file only supports its installed modules", () => {
    expect(doc.packages.filter((p) => p.locations[0]?.path === '/app/package-lock.json')).toEqual([]);
    const express = doc.packages.find((p) => p.name === 'express' && p.type === 'npm');
    expect(express?.locations.map((l) => [l.path, l.annotation])).toEqual([
      ['/app/node_modules/express/package.json', 'primary'],
      ['/app/package-lock.json', 'supporting'],
    ]);
  });
});
