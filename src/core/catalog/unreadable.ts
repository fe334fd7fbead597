/**
 * Evidence that exists but cannot be read. A package database or os-release that is a symlink
 * loop, a dangling or escaping link, or not a regular file would otherwise vanish silently: the
 * image would look empty and a scan would say "No vulnerabilities found". Each becomes an
 * unknown with a machine-readable code that gates and reports act on.
 */
import type { Cataloger } from '../ecosystems/types.js';
import type { FsEntry } from '../fs/types.js';
import type { Unknown } from '../sbom/model.js';
import type { SquashedView } from './content-view.js';

/** A distro package database (dpkg, rpm, apk) exists but could not be read. */
export const PACKAGE_DB_UNREADABLE = 'PACKAGE_DB_UNREADABLE';
/** An os-release file exists but could not be read: the distro may be unknown. */
export const OS_RELEASE_UNREADABLE = 'OS_RELEASE_UNREADABLE';

const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'] as const;

export type Resolution = { file: FsEntry } | { problem: string };

/** What a path that exists in the image leads to: a regular file, or why it does not. */
export function resolveToFile(view: SquashedView, entry: FsEntry): Resolution {
  if (entry.type === 'file' || entry.type === 'hardlink') return { file: entry };
  if (entry.type !== 'symlink') return { problem: `a ${entry.type}, not a regular file` };
  let target: FsEntry | undefined;
  try {
    target = view.stat(entry.path);
  } catch (err) {
    return { problem: `symlink to ${entry.linkTarget ?? '?'} cannot be followed: ${(err as Error).message}` };
  }
  if (target === undefined) return { problem: `dangling symlink to ${entry.linkTarget ?? '?'}` };
  if (target.type !== 'file' && target.type !== 'hardlink')
    return { problem: `symlink to ${target.path}, a ${target.type}, not a regular file` };
  return { file: target };
}

/** The code a cataloger's unreadable input carries: only distro package databases have one. */
export function unreadableCode(cataloger: Cataloger): { code?: string } {
  return cataloger.packageDatabase ? { code: PACKAGE_DB_UNREADABLE } : {};
}

/** os-release files that exist (as any kind of entry) but do not lead to a readable file. */
export function unreadableOsRelease(
  view: SquashedView & { lstat(path: string): FsEntry | undefined },
): Unknown[] {
  const out: Unknown[] = [];
  for (const path of OS_RELEASE_PATHS) {
    let entry: FsEntry | undefined;
    try {
      entry = view.lstat(path);
    } catch (err) {
      out.push({
        path,
        cataloger: 'distro',
        reason: `os-release cannot be read: ${(err as Error).message}`,
        code: OS_RELEASE_UNREADABLE,
      });
      continue;
    }
    if (entry === undefined) continue;
    const resolved = resolveToFile(view, entry);
    if ('problem' in resolved) {
      out.push({
        path,
        cataloger: 'distro',
        reason: `os-release cannot be read: ${resolved.problem}`,
        code: OS_RELEASE_UNREADABLE,
        ...(view.layers[entry.layer] ? { layerDiffId: view.layers[entry.layer]?.diffId as string } : {}),
      });
    }
  }
  return out;
}
