import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * `dpkg-query -W` over an unpacked rootfs's database: one row per package (all of them, or
 * the ones named), holding the requested fields (`Package`, `source:Version`, ...) in order.
 */
export function dpkgQuery(
  rootfs: string,
  fields: readonly string[],
  packages: readonly string[] = [],
): string[][] {
  const out = execFileSync('dpkg-query', [
    '--admindir',
    join(rootfs, 'var/lib/dpkg'),
    '-W',
    '-f',
    `${fields.map((f) => `\${${f}}`).join('\\t')}\\n`,
    ...packages,
  ]).toString();
  return out
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
}

/** Installed packages (`name@version`) as dpkg itself reads an unpacked rootfs's database. */
export function dpkgInstalled(rootfs: string): Set<string> {
  return new Set(
    dpkgQuery(rootfs, ['Package', 'Version', 'db:Status-Status'])
      .filter((f) => f[2] === 'installed')
      .map((f) => `${f[0]}@${f[1]}`),
  );
}
