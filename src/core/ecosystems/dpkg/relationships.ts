/**
 * depends-on edges from Depends and Pre-Depends, each group of alternatives resolved to the
 * package that is actually installed: the first alternative present by name, else the first
 * present package that Provides it. Version constraints are not re-checked, since dpkg
 * enforced them when it configured the package.
 */
import type { ParsedPackage, ParseResult } from '../types.js';
import { parseDependsField } from './depends.js';

export function debKey(pkg: { name: string; version: string }): string {
  return `deb/${pkg.name}@${pkg.version}`;
}

export function dependencyEdges(packages: readonly ParsedPackage[]): ParseResult['relationships'] {
  const byName = new Map<string, ParsedPackage>();
  const byProvides = new Map<string, ParsedPackage>();
  for (const pkg of packages) {
    if (!byName.has(pkg.name)) byName.set(pkg.name, pkg);
    const provides = pkg.metadata.provides;
    if (typeof provides !== 'string') continue;
    for (const group of parseDependsField(provides)) {
      for (const atom of group) if (!byProvides.has(atom.name)) byProvides.set(atom.name, pkg);
    }
  }
  const edges: ParseResult['relationships'] = [];
  const seen = new Set<string>();
  for (const pkg of packages) {
    const fields = [pkg.metadata.preDepends, pkg.metadata.depends].filter(
      (v): v is string => typeof v === 'string',
    );
    for (const field of fields) {
      for (const group of parseDependsField(field)) {
        const target =
          group.map((a) => byName.get(a.name)).find((p) => p !== undefined) ??
          group.map((a) => byProvides.get(a.name)).find((p) => p !== undefined);
        if (!target || target === pkg) continue;
        const edge = { from: debKey(pkg), to: debKey(target), type: 'depends-on' as const };
        const id = `${edge.from}>${edge.to}`;
        if (seen.has(id)) continue;
        seen.add(id);
        edges.push(edge);
      }
    }
  }
  return edges;
}
