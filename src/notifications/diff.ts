/**
 * The change between two finding sets of one image, keyed by (vulnerability, package, version):
 * what a `vuln_update` notification lists. A finding whose severity, fix or suppression changed
 * is `updated`; one notification carries every change of one data update (no flood per CVE).
 */
import { SEVERITY_ORDER, type Finding, type NormalizedSeverity } from '../core/matching/types.js';
import { anchoreVulnerability } from '../core/report/anchore-vulnerability.js';

/**
 * One vulnerability row as Anchore's `diff_vulnerability_result` lists it: the engine's
 * `Vulnerability` record (`vuln`, `package`, `fix`, `feed_group`, `nvd_data`...), plus the id
 * under `vulnerability_id`, every fixed version in `fix`, suppression and origin.
 */
export type VulnerabilityRow = Omit<ReturnType<typeof anchoreVulnerability>, 'severity'> & {
  vulnerability_id: string;
  severity: NormalizedSeverity;
  suppressed: boolean;
  origin: 'base' | 'app' | 'unknown';
};

export interface FindingsDiff {
  added: VulnerabilityRow[];
  updated: VulnerabilityRow[];
  removed: VulnerabilityRow[];
}

export function toRow(f: Finding): VulnerabilityRow {
  // Completed in place rather than spread into a copy: a re-match makes tens of thousands.
  const row: Omit<VulnerabilityRow, 'vulnerability_id' | 'suppressed' | 'origin'> &
    Partial<VulnerabilityRow> = anchoreVulnerability(f, fixOf(f));
  row.vulnerability_id = f.id;
  row.suppressed = f.suppressed !== undefined;
  row.origin = f.origin;
  return row as VulnerabilityRow;
}

const fixOf = (f: Finding) => f.fixedVersions.join(',') || 'None';

// Compared on the finding itself; only the rows a diff lists are built (a re-match diffs
// every finding of every changed image).
const keyOf = (f: Finding) => `${f.id}\u0000${f.package.name}\u0000${f.package.version}`;
const sameFinding = (a: Finding, b: Finding) =>
  a.severity === b.severity &&
  fixOf(a) === fixOf(b) &&
  (a.suppressed === undefined) === (b.suppressed === undefined);

/** Whether the findings of `a` that are also in `b` (the same objects) come in the same order in both. */
function sameSharedOrder(a: readonly Finding[], inA: Set<Finding>, b: readonly Finding[], inB: Set<Finding>) {
  let j = 0;
  for (const f of a) {
    if (!inB.has(f)) continue;
    while (j < b.length && !inA.has(b[j]!)) j++;
    if (b[j] !== f) return false;
    j++;
  }
  while (j < b.length && !inA.has(b[j]!)) j++;
  return j === b.length;
}

/**
 * The findings that can make a difference: a re-match keeps the findings of every package it
 * did not match again as the same objects, in the same order, so only the others, and any
 * finding sharing a package name (so maybe a key) with one of them, need keys. The diff is the
 * one of the whole lists: a key of none of those names has the same objects on both sides.
 */
function differing(
  before: readonly Finding[],
  after: readonly Finding[],
): [readonly Finding[], readonly Finding[]] {
  const [inBefore, inAfter] = [new Set(before), new Set(after)];
  if (!sameSharedOrder(before, inBefore, after, inAfter)) return [before, after];
  const names = new Set<string>();
  for (const f of before) if (!inAfter.has(f)) names.add(f.package.name);
  for (const f of after) if (!inBefore.has(f)) names.add(f.package.name);
  const named = (f: Finding) => names.has(f.package.name);
  return [before.filter(named), after.filter(named)];
}

export function diffFindings(before: readonly Finding[], after: readonly Finding[]): FindingsDiff {
  const [was, is] = differing(before, after);
  const old = new Map(was.map((f) => [keyOf(f), f]));
  const now = new Map(is.map((f) => [keyOf(f), f]));
  const diff: FindingsDiff = { added: [], updated: [], removed: [] };
  for (const [key, finding] of now) {
    const previous = old.get(key);
    if (!previous) diff.added.push(toRow(finding));
    else if (!sameFinding(previous, finding)) diff.updated.push(toRow(finding));
  }
  for (const [key, finding] of old) if (!now.has(key)) diff.removed.push(toRow(finding));
  return diff;
}

export const isEmptyDiff = (d: FindingsDiff) => !d.added.length && !d.updated.length && !d.removed.length;

/** The worst severity among added and updated rows that are not suppressed. */
export function worstSeverity(rows: readonly VulnerabilityRow[]): NormalizedSeverity | undefined {
  let worst: number | undefined;
  for (const row of rows) {
    if (row.suppressed) continue;
    const rank = SEVERITY_ORDER.indexOf(row.severity);
    if (worst === undefined || rank > worst) worst = rank;
  }
  return worst === undefined ? undefined : SEVERITY_ORDER[worst];
}
