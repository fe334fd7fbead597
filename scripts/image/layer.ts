/**
 * Reproducible layer tarballs: GNU tar with entries sorted by name, every mtime set to
 * SOURCE_DATE_EPOCH, numeric owners and no atime/ctime headers, so the same tree gives the same
 * bytes (and the same diffID) on every machine and every run.
 */
import { readdir, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../test/harness/fixtures/exec.js';

export async function reproducibleTar(rootfs: string, tarFile: string, epoch: number): Promise<void> {
  await run('tar', [
    '--create',
    `--file=${tarFile}`,
    `--directory=${rootfs}`,
    '--sort=name',
    `--mtime=@${epoch}`,
    '--numeric-owner',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '--no-acls',
    '--no-selinux',
    '--no-xattrs',
    '.',
  ]);
}

async function emptyDir(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.map((n) => rm(join(dir, n), { recursive: true, force: true })));
}

/**
 * Drops what a build leaves that is not part of the system: logs (truncated, as the packages
 * own some), caches, apt lists, backup copies of the account files, device nodes (the runtime
 * makes /dev). What stays is determined by the installed packages.
 */
export async function normalizeRootfs(rootfs: string): Promise<void> {
  const logs = await readdir(join(rootfs, 'var/log'), { recursive: true, withFileTypes: true });
  for (const entry of logs) {
    if (entry.isFile()) await truncate(join(entry.parentPath, entry.name), 0);
  }
  for (const dir of ['dev', 'var/lib/apt/lists', 'var/cache/apt', 'var/cache/ldconfig', 'tmp', 'run']) {
    await emptyDir(join(rootfs, dir));
  }
  const backups = [
    'etc/passwd-',
    'etc/group-',
    'etc/shadow-',
    'etc/gshadow-',
    'etc/subuid-',
    'etc/subgid-',
    'var/cache/debconf/config.dat-old',
    'var/cache/debconf/templates.dat-old',
    'var/lib/dpkg/status-old',
    'var/lib/dpkg/diversions-old',
    'var/lib/dpkg/statoverride-old',
  ];
  await Promise.all(backups.map((f) => rm(join(rootfs, f), { force: true })));
}
