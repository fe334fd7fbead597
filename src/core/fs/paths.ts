/**
 * Path normalization for tar entry names and link targets. Everything inside the filesystem is
 * an absolute, normalized path ("/a/b"); "/" is the root.
 */

/**
 * Normalizes a tar entry name to an absolute path: leading "./" and "/" are dropped (tar
 * extractors treat names as relative to the destination), "//" and "." collapse, ".." pops.
 * Returns undefined when ".." would climb above the root: such an entry is unsafe.
 */
export function normalizeEntryPath(name: string): string | undefined {
  // Fast path: most names from real layers have no ".", "..", "//" or leading "/" to fix.
  if (!name.includes('/.') && !name.includes('//') && !name.startsWith('.') && !name.startsWith('/')) {
    const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
    return trimmed === '' ? '/' : `/${trimmed}`;
  }
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(part);
  }
  return `/${out.join('/')}`;
}

/** Parent of an absolute normalized path; the root's parent is the root. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** True when `path` is strictly below `dir`. */
export function isBelow(path: string, dir: string): boolean {
  if (dir === '/') return path !== '/';
  return path.length > dir.length && path.startsWith(dir) && path.charCodeAt(dir.length) === 47;
}
