/**
 * A package database or os-release that exists but cannot be read is an unknown with a code,
 * never a silently empty SBOM. The trees are shaped like the base fixture's root filesystem
 * (its real os-release and dpkg status) with the defect put in place, read through the real
 * `dir:` back-end.
 */
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { dpkgInstalled } from '../../../test/support/dpkg-truth.js';
import { resolveImageOptions } from '../../config/index.js';
import { fromResolved, catalogRead } from '../image/test-support/image-options.js';
import { openImage } from '../image/open.js';
import type { SbomDocument } from '../sbom/document.js';
import { catalogImage } from './catalog-image.js';
import { ALL_CATALOGERS } from './catalogers.js';

describe('unreadable package databases and os-release', () => {
  let fixture: FixtureImage;
  let temp: string;
  let n = 0;

  beforeAll(async () => {
    fixture = await getFixtureImage('base');
    temp = await mkdtemp(join(tmpdir(), 'portcullis-unreadable-'));
  });
  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  /** A Debian-shaped root: the base fixture's os-release (behind its usual symlink) and dpkg status. */
  async function debianRoot(): Promise<string> {
    const root = join(temp, `root-${n++}`);
    for (const dir of ['etc', 'usr/lib', 'var/lib/dpkg', 'lib/apk/db', 'var/lib/rpm'])
      await mkdir(join(root, dir), { recursive: true });
    await copyFile(join(fixture.rootfsDir, 'usr/lib/os-release'), join(root, 'usr/lib/os-release'));
    await symlink('../usr/lib/os-release', join(root, 'etc/os-release'));
    await copyFile(join(fixture.rootfsDir, 'var/lib/dpkg/status'), join(root, 'var/lib/dpkg/status'));
    return root;
  }

  async function catalog(root: string): Promise<SbomDocument> {
    const open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
    const image = await openImage(`dir:${root}`, open.env, open.request);
    return catalogImage(image, catalogRead(open), {
      catalogers: ALL_CATALOGERS,
      scope: 'squashed',
      digestMaxBytes: 0,
      captureMaxBytes: 64 << 20,
    });
  }

  const coded = (doc: SbomDocument) =>
    doc.unknowns.filter((u) => u.code !== undefined).map((u) => [u.path, u.cataloger, u.code]);

  it('the untouched tree: every dpkg package, no coded unknown', async () => {
    const doc = await catalog(await debianRoot());
    const debs = new Set(doc.packages.filter((p) => p.type === 'deb').map((p) => `${p.name}@${p.version}`));
    expect(debs).toEqual(dpkgInstalled(fixture.rootfsDir));
    expect(doc.distro?.id).toBe('debian');
    expect(coded(doc)).toEqual([]);
  });

  it('a symlink loop at /var/lib/dpkg/status: PACKAGE_DB_UNREADABLE', async () => {
    const root = await debianRoot();
    await rm(join(root, 'var/lib/dpkg/status'));
    await symlink('status.loop', join(root, 'var/lib/dpkg/status'));
    await symlink('status', join(root, 'var/lib/dpkg/status.loop'));
    const doc = await catalog(root);
    expect(doc.packages.filter((p) => p.type === 'deb')).toEqual([]);
    expect(coded(doc)).toEqual([['/var/lib/dpkg/status', 'dpkg-db', 'PACKAGE_DB_UNREADABLE']]);
    expect(doc.unknowns.find((u) => u.code)?.reason).toMatch(/symlink to status\.loop cannot be followed/);
  });

  it('a dangling /lib/apk/db/installed and a directory-less rpm link: PACKAGE_DB_UNREADABLE each', async () => {
    const root = await debianRoot();
    await symlink('/nowhere/installed', join(root, 'lib/apk/db/installed'));
    await symlink('rpmdb.sqlite', join(root, 'var/lib/rpm/rpmdb.sqlite'));
    const doc = await catalog(root);
    expect(coded(doc)).toEqual([
      ['/lib/apk/db/installed', 'apk-db', 'PACKAGE_DB_UNREADABLE'],
      ['/var/lib/rpm/rpmdb.sqlite', 'rpm-db', 'PACKAGE_DB_UNREADABLE'],
    ]);
  });

  it('an rpm database that is not one: PACKAGE_DB_UNREADABLE', async () => {
    const root = await debianRoot();
    await writeFile(join(root, 'var/lib/rpm/rpmdb.sqlite'), 'this is not an SQLite database\n'.repeat(200));
    const doc = await catalog(root);
    expect(coded(doc).map((c) => c[0])).toEqual(['/var/lib/rpm/rpmdb.sqlite']);
  });

  it('a symlink loop at /etc/os-release: OS_RELEASE_UNREADABLE', async () => {
    const root = await debianRoot();
    await rm(join(root, 'etc/os-release'));
    await rm(join(root, 'usr/lib/os-release'));
    await symlink('os-release', join(root, 'etc/os-release'));
    const doc = await catalog(root);
    expect(coded(doc)).toEqual([['/etc/os-release', 'distro', 'OS_RELEASE_UNREADABLE']]);
    expect(doc.distro).toBeUndefined();
  });

  it('os-release unreadable beside /etc/debian_version: the distro from the fallback, and the unknown', async () => {
    const root = await debianRoot();
    await copyFile(join(fixture.rootfsDir, 'etc/debian_version'), join(root, 'etc/debian_version'));
    await rm(join(root, 'usr/lib/os-release'));
    const doc = await catalog(root);
    expect(coded(doc)).toEqual([['/etc/os-release', 'distro', 'OS_RELEASE_UNREADABLE']]);
    expect(doc.unknowns.find((u) => u.code)?.reason).toMatch(
      /dangling symlink to \.\.\/usr\/lib\/os-release/,
    );
    expect(doc.distro?.id).toBe('debian');
  });

  it('a package database reached through a symlink to a real file is read', async () => {
    const root = await debianRoot();
    const moved = join(root, 'srv/dpkg-status');
    await mkdir(dirname(moved), { recursive: true });
    await copyFile(join(root, 'var/lib/dpkg/status'), moved);
    await rm(join(root, 'var/lib/dpkg/status'));
    await symlink('../../../srv/dpkg-status', join(root, 'var/lib/dpkg/status'));
    const doc = await catalog(root);
    expect(doc.packages.filter((p) => p.type === 'deb').length).toBe(dpkgInstalled(fixture.rootfsDir).size);
    expect(coded(doc)).toEqual([]);
  });
});
