/**
 * Debian relationship fields (Depends, Pre-Depends): comma-separated groups of '|'
 * alternatives, each `name[:archqual] [(op version)] [[arch list]] [<profiles>]`.
 */
export interface DependencyAtom {
  name: string;
  archQualifier?: string;
  constraint?: { op: string; version: string };
}

const ATOM = /^([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^)\s]+)\s*\))?/i;

/** Groups of alternatives; atoms that do not parse are dropped (the raw field stays in metadata). */
export function parseDependsField(value: string): DependencyAtom[][] {
  const groups: DependencyAtom[][] = [];
  for (const group of value.split(',')) {
    const atoms: DependencyAtom[] = [];
    for (const alt of group.split('|')) {
      const m = ATOM.exec(alt.trim());
      if (!m) continue;
      const atom: DependencyAtom = { name: (m[1] as string).toLowerCase() };
      if (m[2]) atom.archQualifier = m[2];
      if (m[3] && m[4]) atom.constraint = { op: m[3], version: m[4] };
      atoms.push(atom);
    }
    if (atoms.length > 0) groups.push(atoms);
  }
  return groups;
}
