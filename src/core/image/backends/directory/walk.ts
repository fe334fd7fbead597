/**
 * A deterministic walk of a directory tree for the `dir:` back-end: names sorted by byte
 * order, parents before children, `lstat` only (symlinks are recorded, never followed), and
 * hard links detected by (device, inode) so the second name becomes a tar hard link.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PortcullisError } from '../../../errors.js';

export interface WalkEntry {
  /** Path relative to the root, `/`-separated, no leading `./`; directories end with `/`. */
  name: string;
  absPath: string;
  stat: Stats;
  kind: 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  /** Symlink target as stored, or the earlier name of a hard-linked file. */
  linkname?: string;
}

function kindOf(stat: Stats): WalkEntry['kind'] | undefined {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char';
  if (stat.isBlockDevice()) return 'block';
  if (stat.isFIFO()) return 'fifo';
  // Sockets cannot be stored in a tar layer; they are skipped like docker build does.
  return undefined;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export async function walkDirectory(root: string, source: string, maxEntries: number): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const firstNameOfInode = new Map<string, string>();
  const fail = (path: string, err: unknown): never => {
    throw new PortcullisError('IO', `${source}: cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
      details: { path },
    });
  };
  const visit = async (absDir: string, relDir: string): Promise<void> => {
    const names = (await readdir(absDir).catch((err: unknown) => fail(absDir, err))).sort(byteOrder);
    for (const name of names) {
      const absPath = join(absDir, name);
      const rel = relDir + name;
      const stat = await lstat(absPath).catch((err: unknown) => fail(absPath, err));
      const kind = kindOf(stat);
      if (!kind) continue;
      if (out.length >= maxEntries) {
        throw new PortcullisError('SIZE_LIMIT', `${source}: more than ${maxEntries} entries under ${root}`);
      }
      if (kind === 'directory') {
        out.push({ name: `${rel}/`, absPath, stat, kind });
        await visit(absPath, `${rel}/`);
      } else if (kind === 'symlink') {
        const target = await readlink(absPath).catch((err: unknown) => fail(absPath, err));
        out.push({ name: rel, absPath, stat, kind, linkname: target });
      } else if (kind === 'file' && stat.nlink > 1) {
        const key = `${stat.dev}:${stat.ino}`;
        const first = firstNameOfInode.get(key);
        if (first) out.push({ name: rel, absPath, stat, kind: 'hardlink', linkname: first });
        else {
          firstNameOfInode.set(key, rel);
          out.push({ name: rel, absPath, stat, kind });
        }
      } else {
        out.push({ name: rel, absPath, stat, kind });
      }
    }
  };
  await visit(root, '');
  return out;
}
