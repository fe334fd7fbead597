/**
 * Groups the advisory matches of one package into findings: records that share any id
 * (an OSV GHSA with CVE alias, the Debian CVE record) are one vulnerability.
 */
import type { MatchedAdvisory } from '../advisories/model.js';

export interface AdvisoryMatch {
  advisory: MatchedAdvisory;
  evidenceIndex: number;
}

/** Union-find over ids; returns groups of matches that describe the same vulnerability. */
export function groupByIdentity<T extends { advisory: MatchedAdvisory }>(matches: readonly T[]): T[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root && parent.has(root)) root = parent.get(root) as string;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (const m of matches) {
    union(m.advisory.id, m.advisory.id);
    for (const alias of m.advisory.aliases) union(m.advisory.id, alias);
  }
  const groups = new Map<string, T[]>();
  for (const m of matches) {
    const root = find(m.advisory.id);
    const list = groups.get(root);
    if (list) list.push(m);
    else groups.set(root, [m]);
  }
  return [...groups.values()];
}

/** Distro records speak for distro packages; for language packages GHSA, then others. */
export function primaryOf<A extends MatchedAdvisory>(advisories: readonly A[]): A {
  const rank = (a: A) =>
    !a.namespace.startsWith('osv:') ? 0 : a.id.startsWith('GHSA-') ? 1 : a.id.startsWith('CVE-') ? 2 : 3;
  // The first of the lowest, as a stable sort would put first, without copying and sorting.
  let best = advisories[0] as A;
  for (let i = 1; i < advisories.length; i++) {
    const a = advisories[i] as A;
    if ((rank(a) - rank(best) || a.id.localeCompare(best.id)) < 0) best = a;
  }
  return best;
}
