/**
 * A FileResolver over an unpacked root filesystem on disk, for tests that run parsers against
 * real trees (the host's /var/lib/dpkg, an umoci-unpacked fixture, a temp dir).
 * Symlinks are followed the way they would be inside the image: absolute targets are re-rooted
 * under `root`, so nothing outside the tree is ever read.
 */
import { readFile, readdir, lstat, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import type { FileResolver } from '../../ecosystems/types.js';

export function dirResolver(root: string): FileResolver {
  const inRoot = (path: string): string => join(root, posix.normalize(`/${path}`));
  return {
    async read(path) {
      try {
        const full = inRoot(await resolveLinks(root, path));
        const st = await lstat(full);
        if (!st.isFile()) return undefined;
        return await readFile(full);
      } catch {
        return undefined;
      }
    },
    async glob(pattern) {
      // Walk only the static prefix of the pattern so globs under /var/lib/dpkg stay cheap.
      const scan = picomatch.scan(pattern);
      const base = scan.isGlob ? scan.base : posix.dirname(pattern);
      const isMatch = picomatch(pattern, { dot: true });
      const out: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(inRoot(dir), { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const p = posix.join(dir, e.name);
          if (e.isDirectory()) await walk(p);
          else if (isMatch(p)) out.push(p);
        }
      };
      await walk(base || '/');
      return out.sort();
    },
  };
}

const MAX_LINK_HOPS = 40;

/** Resolves symlinks component by component with image-absolute semantics. */
async function resolveLinks(root: string, path: string): Promise<string> {
  const pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  let current = '/';
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      current = posix.dirname(current);
      continue;
    }
    const next = posix.join(current, part);
    const st = await lstat(join(root, next)).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) throw new Error(`too many symlinks at ${next}`);
      const target = await readlink(join(root, next));
      if (target.startsWith('/')) current = '/';
      pending.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
    } else {
      current = next;
    }
  }
  return current;
}
