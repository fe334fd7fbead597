/**
 * Ground truth for cache tests, computed without the code under test: GNU find lists the
 * regular files of a folder with their apparent sizes (what `du -b` adds up for files), never
 * following symbolic links; snapshots record every file's size and mtime so tests can prove
 * that nothing changed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { utimes } from 'node:fs/promises';

export interface DiskFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Regular files under `dir` (symbolic links not followed); [] when `dir` does not exist. */
export function findFiles(dir: string): DiskFile[] {
  if (!existsSync(dir)) return [];
  const out = execFileSync('find', ['-P', dir, '-type', 'f', '-printf', '%s %T@ %p\\n'], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [size, mtime, ...path] = line.split(' ');
      return { path: path.join(' '), size: Number(size), mtimeMs: Number(mtime) * 1000 };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

export const totalSize = (files: readonly DiskFile[]): number => files.reduce((sum, f) => sum + f.size, 0);

/** Sets `path`'s mtime (and atime) to `ms` since the epoch. */
export async function setLastUse(path: string, ms: number): Promise<void> {
  const at = new Date(ms);
  await utimes(path, at, at);
}
