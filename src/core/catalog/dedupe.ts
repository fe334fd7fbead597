/**
 * Declared packages (lock-file entries, an application's own manifest) against installed
 * evidence. An SBOM lists what is installed: a lock file counts only as supporting evidence
 * of the packages installed beside it (its `node_modules`, `vendor/bundle`, ...), which it
 * joins as a supporting location so no finding is reported twice. A lock file shipped inside
 * an installed package (a gem's own `Gemfile.lock`, an editor extension's `package-lock.json`)
 * proves nothing, so in an image its entries are dropped. In a directory scan a lock file may
 * be all there is: its entries stay, marked `declaredOnly`.
 */
import { posix } from 'node:path';
import type { Package } from '../sbom/model.js';
import { packageKey, type CatalogRun } from './run-catalogers.js';

export type EvidenceMode = 'image' | 'directory';

const primaryPath = (pkg: Package): string => pkg.locations[0]?.path ?? '';

/** `/app/` for `/app/package-lock.json`: everything installed for that application is under it. */
function applicationDir(pkg: Package): string {
  const dir = posix.dirname(primaryPath(pkg));
  return dir === '/' ? '/' : `${dir}/`;
}

function mergeInto(target: Package, declared: Package): void {
  for (const loc of declared.locations) {
    if (!target.locations.some((l) => l.path === loc.path))
      target.locations.push({ ...loc, annotation: 'supporting' });
  }
}

export function settleDeclaredPackages(run: CatalogRun, mode: EvidenceMode): void {
  const installedByKey = new Map<string, Package[]>();
  const installed: Package[] = [];
  for (const pkg of run.packages) {
    if (pkg.declaredOnly) continue;
    installed.push(pkg);
    const list = installedByKey.get(packageKey(pkg));
    if (list) list.push(pkg);
    else installedByKey.set(packageKey(pkg), [pkg]);
  }
  const replaced = new Map<string, string>();
  const dropped = new Set<string>();
  const kept: Package[] = [];
  for (const pkg of run.packages) {
    if (!pkg.declaredOnly) {
      kept.push(pkg);
      continue;
    }
    const dir = applicationDir(pkg);
    const twin = installedByKey.get(packageKey(pkg))?.find((i) => primaryPath(i).startsWith(dir));
    if (twin) {
      mergeInto(twin, pkg);
      replaced.set(pkg.id, twin.id);
    } else if (
      pkg.metadata.isRoot === true &&
      installed.some((i) => i.type === pkg.type && primaryPath(i).startsWith(dir))
    ) {
      // An application whose dependencies are installed beside its manifest is installed itself.
      const { declaredOnly: _declared, ...rest } = pkg;
      kept.push(rest);
      continue;
    } else if (mode === 'directory') {
      kept.push(pkg);
      continue;
    } else {
      dropped.add(pkg.id);
    }
    run.evidence.delete(pkg.id);
  }
  run.packages = kept;
  if (replaced.size === 0 && dropped.size === 0) return;
  const seen = new Set<string>();
  run.relationships = run.relationships.flatMap((r) => {
    const from = replaced.get(r.from) ?? r.from;
    const to = replaced.get(r.to) ?? r.to;
    const key = `${from}|${r.type}|${to}`;
    if (from === to || dropped.has(from) || dropped.has(to) || seen.has(key)) return [];
    seen.add(key);
    return [{ ...r, from, to }];
  });
}
