import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Installed packages (`name@version`) as dpkg itself reads an unpacked rootfs's database. */
export function dpkgInstalled(rootfs: string): Set<string> {
  const out = execFileSync('dpkg-query', [
    '--admindir',
    join(rootfs, 'var/lib/dpkg'),
    '-W',
    '-f',
    '${Package}\\t${Version}\\t${db:Status-Status}\\n',
  ]).toString();
  return new Set(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
      .filter((f) => f[2] === 'installed')
      .map((f) => `${f[0]}@${f[1]}`),
  );
}
