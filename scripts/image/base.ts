/**
 * The image's base layer: Debian (`debootstrap --variant=minbase`) with the release's security
 * updates, the packages of config.ts and the service user, normalised and packed as a
 * reproducible tar. Built once per recipe and cached outside the repo, like the test fixtures.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedBuild, recipeHash } from '../../test/harness/fixtures/cache.js';
import { run } from '../../test/harness/fixtures/exec.js';
import {
  BASE_PACKAGES,
  DATA_DIR,
  DEBIAN_MIRROR,
  DEBIAN_SECURITY_MIRROR,
  DEBIAN_SUITE,
  USER,
} from './config.js';
import { normalizeRootfs, reproducibleTar } from './layer.js';

export const BASE_TAR = 'base-layer.tar';

async function chroot(rootfs: string, args: string[], epoch: number): Promise<void> {
  const env = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    DEBIAN_FRONTEND: 'noninteractive',
    LC_ALL: 'C',
    SOURCE_DATE_EPOCH: String(epoch),
  };
  await run('chroot', [rootfs, ...args], { env });
}

async function buildBase(dir: string, epoch: number): Promise<void> {
  const rootfs = join(dir, 'rootfs');
  await run('debootstrap', [
    '--variant=minbase',
    '--arch=amd64',
    `--include=${BASE_PACKAGES.join(',')}`,
    DEBIAN_SUITE,
    rootfs,
    DEBIAN_MIRROR,
  ]);
  await writeFile(
    join(rootfs, 'etc/apt/sources.list'),
    [
      `deb ${DEBIAN_MIRROR} ${DEBIAN_SUITE} main`,
      `deb ${DEBIAN_MIRROR} ${DEBIAN_SUITE}-updates main`,
      `deb ${DEBIAN_SECURITY_MIRROR} ${DEBIAN_SUITE}-security main`,
      '',
    ].join('\n'),
  );
  await writeFile(join(rootfs, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  await chroot(rootfs, ['apt-get', 'update', '-qq'], epoch);
  await chroot(rootfs, ['apt-get', 'upgrade', '-y', '-qq', '--no-install-recommends'], epoch);
  await chroot(rootfs, ['apt-get', 'clean'], epoch);
  await run('rm', ['-f', join(rootfs, 'usr/sbin/policy-rc.d')]);
  await chroot(rootfs, ['groupadd', '--gid', String(USER.gid), USER.name], epoch);
  await chroot(
    rootfs,
    [
      'useradd',
      '--uid',
      String(USER.uid),
      '--gid',
      String(USER.gid),
      '--home-dir',
      DATA_DIR,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      USER.name,
    ],
    epoch,
  );
  // The service needs no setuid or setgid program (su, passwd, mount...): no bit stays set.
  await run('find', [rootfs, '-xdev', '-perm', '/6000', '-exec', 'chmod', 'ug-s', '{}', '+']);
  await normalizeRootfs(rootfs);
  await reproducibleTar(rootfs, join(dir, BASE_TAR), epoch);
  await run('rm', ['-rf', rootfs]);
}

/**
 * The cached base layer tar for this recipe and epoch. The key covers this file, config.ts and
 * layer.ts, so changing the package list or the normalisation rebuilds it.
 */
export async function baseLayer(epoch: number): Promise<string> {
  const sources = await Promise.all(
    ['base.ts', 'config.ts', 'layer.ts'].map((f) =>
      readFile(fileURLToPath(new URL(f, import.meta.url)), 'utf8'),
    ),
  );
  const key = `portcullis-image-base-${recipeHash([...sources, String(epoch)])}`;
  const dir = await cachedBuild(key, (tmp) => buildBase(tmp, epoch));
  return join(dir, BASE_TAR);
}
