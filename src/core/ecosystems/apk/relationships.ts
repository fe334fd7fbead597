/**
 * depends-on edges from apk `D:` entries. A dependency names a package, a provided name
 * (`so:libc.musl-x86_64.so.1`, `cmd:sh`, `pc:zlib`) or a file path, optionally with a version
 * constraint; `!name` is a conflict, not a dependency. Each resolves to the installed package
 * that is or provides it.
 */
import type { ParsedPackage, ParseResult } from '../types.js';

const CONSTRAINT = /[<>=~].*$/;

export function apkKey(pkg: { name: string; version: string }): string {
  return `apk/${pkg.name}@${pkg.version}`;
}

export function apkDependencyEdges(packages: readonly ParsedPackage[]): ParseResult['relationships'] {
  const providers = new Map<string, ParsedPackage>();
  const offer = (name: string, pkg: ParsedPackage): void => {
    if (!providers.has(name)) providers.set(name, pkg);
  };
  for (const pkg of packages) offer(pkg.name, pkg);
  for (const pkg of packages) {
    for (const p of list(pkg.metadata.provides)) offer(p.replace(CONSTRAINT, ''), pkg);
    for (const f of (pkg.metadata.files as { path: string }[] | undefined) ?? []) offer(f.path, pkg);
  }
  const edges: ParseResult['relationships'] = [];
  const seen = new Set<string>();
  for (const pkg of packages) {
    for (const dep of list(pkg.metadata.depends)) {
      if (dep.startsWith('!')) continue;
      const target = providers.get(dep.replace(CONSTRAINT, ''));
      if (!target || target === pkg) continue;
      const edge = { from: apkKey(pkg), to: apkKey(target), type: 'depends-on' as const };
      if (seen.has(`${edge.from}>${edge.to}`)) continue;
      seen.add(`${edge.from}>${edge.to}`);
      edges.push(edge);
    }
  }
  return edges;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
