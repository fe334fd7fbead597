/** Builds throw-away root filesystems in the OS temp dir for parser tests; call cleanup() after. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempRoots {
  make(files: Record<string, string | Buffer>): string;
  cleanup(): void;
}

export function tempRoots(prefix = 'portcullis-rootfs-'): TempRoots {
  const roots: string[] = [];
  return {
    make(files) {
      const root = mkdtempSync(join(tmpdir(), prefix));
      roots.push(root);
      for (const [path, contents] of Object.entries(files)) {
        const full = join(root, path);
        mkdirSync(path.endsWith('/') ? full : dirname(full), { recursive: true });
        if (!path.endsWith('/')) writeFileSync(full, contents);
      }
      return root;
    },
    cleanup() {
      for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
    },
  };
}
