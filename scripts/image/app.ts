/**
 * The image's application layer: the npm tarball unpacked in APP_DIR with its production
 * dependencies at the versions of the repository's package-lock.json (`npm ci --omit=dev`, no
 * install scripts), the `portcullis` command on PATH and the service's data directory.
 */
import { chmod, chown, copyFile, mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { run } from '../../test/harness/fixtures/exec.js';
import { APP_DIR, DATA_DIR, USER } from './config.js';
import { reproducibleTar } from './layer.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * `npm pack` of the repository (its `prepare` builds dist/); returns the tarball's path. Packs
 * run one at a time (a lock under .tmp/), since each rewrites dist/ in the checkout.
 */
export async function packRepository(dest: string): Promise<string> {
  await mkdir(dest, { recursive: true });
  await mkdir(join(REPO_ROOT, '.tmp'), { recursive: true });
  const release = await lockfile.lock(join(REPO_ROOT, 'package.json'), {
    lockfilePath: join(REPO_ROOT, '.tmp', 'npm-pack.lock'),
    retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 },
  });
  try {
    await run('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: REPO_ROOT });
  } finally {
    await release();
  }
  const tarballs = (await readdir(dest)).filter((n) => n.endsWith('.tgz'));
  if (tarballs.length !== 1)
    throw new Error(`npm pack: expected one tarball in ${dest}, found ${tarballs.join(', ')}`);
  return join(dest, tarballs[0] ?? '');
}

export async function buildAppLayer(tarball: string, work: string, epoch: number): Promise<string> {
  const rootfs = join(work, 'app-rootfs');
  const app = join(rootfs, APP_DIR);
  await mkdir(app, { recursive: true });
  await run('tar', [
    '--extract',
    '--gzip',
    `--file=${tarball}`,
    `--directory=${app}`,
    '--strip-components=1',
    '--no-same-owner',
  ]);
  await copyFile(join(REPO_ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
  await run(
    'npm',
    [
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
    ],
    { cwd: app, env: { ...process.env, NODE_ENV: 'production' } },
  );
  await mkdir(join(rootfs, 'usr/local/bin'), { recursive: true });
  await symlink(join(APP_DIR, 'bin/portcullis.js'), join(rootfs, 'usr/local/bin/portcullis'));
  const data = join(rootfs, DATA_DIR);
  await mkdir(data, { recursive: true });
  // Whatever the build's umask: system directories 0755, files readable by all, writable by root.
  await run('chmod', ['-R', 'u+rwX,go+rX,go-w', rootfs]);
  await chmod(data, 0o750);
  await chown(data, USER.uid, USER.gid);
  const tar = join(work, 'app-layer.tar');
  await reproducibleTar(rootfs, tar, epoch);
  return tar;
}
