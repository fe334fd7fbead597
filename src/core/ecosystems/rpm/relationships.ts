/**
 * depends-on edges from REQUIRENAME, each resolved to the installed package that provides
 * the capability (PROVIDENAME) or owns the required file path. rpmlib(...) requirements are
 * satisfied by rpm itself and never resolve.
 */
import type { ParsedPackage, ParseResult } from '../types.js';

export function rpmKey(pkg: { name: string; version: string }): string {
  return `rpm/${pkg.name}@${pkg.version}`;
}

export function rpmDependencyEdges(packages: readonly ParsedPackage[]): ParseResult['relationships'] {
  const providers = new Map<string, ParsedPackage>();
  const offer = (name: string, pkg: ParsedPackage): void => {
    if (!providers.has(name)) providers.set(name, pkg);
  };
  for (const pkg of packages) offer(pkg.name, pkg);
  for (const pkg of packages) {
    for (const p of list(pkg.metadata.provides)) offer(p, pkg);
    for (const f of (pkg.metadata.files as { path: string }[] | undefined) ?? []) offer(f.path, pkg);
  }
  const edges: ParseResult['relationships'] = [];
  const seen = new Set<string>();
  for (const pkg of packages) {
    for (const req of list(pkg.metadata.requires)) {
      const target = providers.get(req);
      if (!target || target === pkg) continue;
      const edge = { from: rpmKey(pkg), to: rpmKey(target), type: 'depends-on' as const };
      const id = `${edge.from}>${edge.to}`;
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push(edge);
    }
  }
  return edges;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
