/**
 * Language packages whose files belong to a distro package (Debian's python3-requests, the
 * node modules under /usr/share/nodejs) get `ownedBy`, so their vulnerabilities are judged by
 * the distro's data, which knows the backports, not by the language advisory.
 */
import type { Package } from '../sbom/model.js';
import { isDistroType } from '../sbom/package-types.js';

/** Owned file paths as the OS catalogers record them in `metadata.files`. */
function ownedPaths(pkg: Package): string[] {
  const files = pkg.metadata.files;
  if (!Array.isArray(files)) return [];
  return files.flatMap((f: unknown) => {
    if (typeof f === 'string') return [f];
    if (f && typeof f === 'object' && typeof (f as { path?: unknown }).path === 'string')
      return [(f as { path: string }).path];
    return [];
  });
}

/**
 * `canonical` maps a path to where it lives once directory symlinks are resolved: Debian 12
 * lists /bin/bash in bash.list while /bin is a symlink to usr/bin (merged /usr).
 */
export function attachOwnership(
  packages: Package[],
  canonical: (path: string) => string = (p) => p,
): { fileOwners: Map<string, Package> } {
  const fileOwners = new Map<string, Package>();
  for (const pkg of packages) {
    if (!isDistroType(pkg.type)) continue;
    for (const path of ownedPaths(pkg)) {
      const key = canonical(path);
      if (!fileOwners.has(key)) fileOwners.set(key, pkg);
    }
  }
  for (const pkg of packages) {
    if (isDistroType(pkg.type)) continue;
    const primary = pkg.locations[0]?.path;
    if (!primary) continue;
    const owner = fileOwners.get(canonical(primary));
    if (owner) pkg.ownedBy = { type: owner.type, name: owner.name, version: owner.version };
  }
  return { fileOwners };
}
