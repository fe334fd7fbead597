/**
 * "Last use" of a cache entry is its mtime: every read refreshes it, and the pruner evicts the
 * oldest first. atime would say the same for free, but most disks are mounted relatime or
 * noatime, so it cannot be trusted.
 */
import { utimes } from 'node:fs/promises';

/**
 * Marks `path` as used now. Never fails: a read-only or foreign-owned cache must keep serving
 * reads, and an entry pruned meanwhile has nothing left to mark. Awaited by readers (one cheap
 * syscall) so that a command's reads are all recorded by the time it prunes.
 */
export async function touchLastUse(path: string, now: Date = new Date()): Promise<void> {
  await utimes(path, now, now).catch(() => undefined);
}
