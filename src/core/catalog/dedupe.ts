/**
 * A package both installed (node_modules/x/package.json) and declared in a lockfile
 * (package-lock.json) is one package, not two: the lockfile entry becomes a supporting
 * location of the installed one. Otherwise every finding on it would be reported twice.
 * Declared-only packages (a lockfile without the install) stay as they are.
 */
import { posix } from 'node:path';
import type { Package } from '../sbom/model.js';
import { packageKey, type CatalogRun } from './run-catalogers.js';

const DECLARATION_FILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'Gemfile.lock',
  'composer.lock',
  'Cargo.lock',
  'go.mod',
]);

function isDeclared(pkg: Package): boolean {
  const path = pkg.locations[0]?.path;
  return path !== undefined && DECLARATION_FILES.has(posix.basename(path));
}

export function mergeDeclaredDuplicates(run: CatalogRun): void {
  const installed = new Map<string, Package>();
  for (const pkg of run.packages)
    if (!isDeclared(pkg) && !installed.has(packageKey(pkg))) installed.set(packageKey(pkg), pkg);
  const replaced = new Map<string, string>();
  run.packages = run.packages.filter((pkg) => {
    if (!isDeclared(pkg)) return true;
    const target = installed.get(packageKey(pkg));
    if (!target) return true;
    for (const loc of pkg.locations) {
      if (!target.locations.some((l) => l.path === loc.path))
        target.locations.push({ ...loc, annotation: 'supporting' });
    }
    replaced.set(pkg.id, target.id);
    run.evidence.delete(pkg.id);
    return false;
  });
  if (replaced.size === 0) return;
  const seen = new Set<string>();
  run.relationships = run.relationships.flatMap((r) => {
    const from = replaced.get(r.from) ?? r.from;
    const to = replaced.get(r.to) ?? r.to;
    const key = `${from}|${r.type}|${to}`;
    if (from === to || seen.has(key)) return [];
    seen.add(key);
    return [{ ...r, from, to }];
  });
}
