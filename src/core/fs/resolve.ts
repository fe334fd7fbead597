/**
 * Symlink resolution confined to the image root: absolute targets start at the image root,
 * ".." stops at "/", and more than 40 links on one lookup is a loop (Linux's MAXSYMLINKS).
 */
import { PortcullisError } from '../errors.js';
import type { FsEntry } from './types.js';

export const MAX_SYMLINK_HOPS = 40;

export interface Resolved<E extends FsEntry> {
  path: string;
  /** Undefined for the root, which has no entry. */
  entry: E | undefined;
}

/**
 * Resolves `path` (absolute or relative to "/") in `entries`; ".." is resolved physically
 * (after the links before it), as the kernel does. Intermediate symlinks are
 * always followed, the last one only with `followLast`. Returns undefined when a component
 * does not exist or is not a directory; throws SYMLINK_LOOP past the hop limit.
 */
export function resolvePath<E extends FsEntry>(
  entries: ReadonlyMap<string, E>,
  path: string,
  followLast: boolean,
  what: string,
): Resolved<E> | undefined {
  const stack: string[] = [];
  // Components still to walk, reversed so the next one is at the end (cheap pop/push).
  const todo = path.split('/').reverse();
  let hops = 0;
  let current: E | undefined;
  let currentPath = '/';
  while (todo.length > 0) {
    const part = todo.pop() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      stack.pop(); // at the root ".." stays at the root
      currentPath = stack.length === 0 ? '/' : `/${stack.join('/')}`;
      current = stack.length === 0 ? undefined : entries.get(currentPath);
      continue;
    }
    const candidate = currentPath === '/' ? `/${part}` : `${currentPath}/${part}`;
    const entry = entries.get(candidate);
    if (entry === undefined) return undefined;
    const isLast = !todo.some((p) => p !== '' && p !== '.');
    if (entry.type === 'symlink' && (followLast || !isLast)) {
      if (++hops > MAX_SYMLINK_HOPS) {
        throw new PortcullisError(
          'SYMLINK_LOOP',
          `${what}: too many levels of symbolic links resolving "${path}" (at "${candidate}")`,
          { details: { path, at: candidate } },
        );
      }
      const target = entry.linkTarget ?? '';
      if (target.startsWith('/')) {
        stack.length = 0;
        currentPath = '/';
      }
      for (const p of target.split('/').reverse()) todo.push(p);
      continue;
    }
    if (!isLast && entry.type !== 'dir') return undefined;
    stack.push(part);
    currentPath = candidate;
    current = entry;
  }
  return { path: currentPath, entry: stack.length === 0 ? undefined : current };
}
