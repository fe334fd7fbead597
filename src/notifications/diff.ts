/**
 * The change between two finding sets of one image, keyed by (vulnerability, package, version):
 * what a `vuln_update` notification lists. A finding whose severity, fix or suppression changed
 * is `updated`; one notification carries every change of one data update (no flood per CVE).
 */
import { SEVERITY_ORDER, type Finding, type NormalizedSeverity } from '../core/matching/types.js';

/** One vulnerability row as Anchore's `diff_vulnerability_result` lists it. */
export interface VulnerabilityRow {
  vulnerability_id: string;
  package: string;
  package_name: string;
  package_version: string;
  package_type: string;
  severity: NormalizedSeverity;
  fix: string;
  suppressed: boolean;
  origin: 'base' | 'app' | 'unknown';
}

export interface FindingsDiff {
  added: VulnerabilityRow[];
  updated: VulnerabilityRow[];
  removed: VulnerabilityRow[];
}

export function toRow(f: Finding): VulnerabilityRow {
  return {
    vulnerability_id: f.id,
    package: `${f.package.name}-${f.package.version}`,
    package_name: f.package.name,
    package_version: f.package.version,
    package_type: f.package.type,
    severity: f.severity,
    fix: f.fixedVersions.join(',') || 'None',
    suppressed: f.suppressed !== undefined,
    origin: f.origin,
  };
}

const keyOf = (r: VulnerabilityRow) =>
  `${r.vulnerability_id}\u0000${r.package_name}\u0000${r.package_version}`;
const sameRow = (a: VulnerabilityRow, b: VulnerabilityRow) =>
  a.severity === b.severity && a.fix === b.fix && a.suppressed === b.suppressed;

export function diffFindings(before: readonly Finding[], after: readonly Finding[]): FindingsDiff {
  const old = new Map(before.map((f) => [keyOf(toRow(f)), toRow(f)]));
  const now = new Map(after.map((f) => [keyOf(toRow(f)), toRow(f)]));
  const diff: FindingsDiff = { added: [], updated: [], removed: [] };
  for (const [key, row] of now) {
    const previous = old.get(key);
    if (!previous) diff.added.push(row);
    else if (!sameRow(previous, row)) diff.updated.push(row);
  }
  for (const [key, row] of old) if (!now.has(key)) diff.removed.push(row);
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
