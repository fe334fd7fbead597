/**
 * The numbers a report leads with, computed once from the findings: counts by severity (all and
 * fixable), the KEV-listed findings and the findings most likely to be exploited (EPSS).
 */
import { SEVERITY_ORDER, type Finding, type NormalizedSeverity } from '../../matching/types.js';

export interface SeverityCount {
  severity: NormalizedSeverity;
  total: number;
  fixable: number;
}

export interface FindingsSummary {
  /** Worst first (Critical … Unknown). */
  bySeverity: SeverityCount[];
  total: number;
  fixable: number;
  suppressed: number;
  /** Unsuppressed findings listed in CISA's KEV catalog, worst first. */
  kev: Finding[];
  /** Unsuppressed findings with the highest EPSS scores (at most `epssTop`), highest first. */
  epss: Finding[];
}

const rank = (s: NormalizedSeverity) => SEVERITY_ORDER.indexOf(s);

export const isFixable = (f: Finding): boolean => f.fixState === 'fixed' && f.fixedVersions.length > 0;

/** Worst severity first, then highest EPSS, then id and package: a stable order for every table. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    rank(b.severity) - rank(a.severity) ||
    (b.epss?.score ?? -1) - (a.epss?.score ?? -1) ||
    a.id.localeCompare(b.id) ||
    a.package.name.localeCompare(b.package.name) ||
    a.package.version.localeCompare(b.package.version)
  );
}

export function summarizeFindings(findings: readonly Finding[], epssTop = 5): FindingsSummary {
  const active = findings.filter((f) => !f.suppressed);
  const bySeverity = [...SEVERITY_ORDER].reverse().map((severity) => {
    const of = active.filter((f) => f.severity === severity);
    return { severity, total: of.length, fixable: of.filter(isFixable).length };
  });
  return {
    bySeverity,
    total: active.length,
    fixable: active.filter(isFixable).length,
    suppressed: findings.length - active.length,
    kev: active.filter((f) => f.kev).sort(compareFindings),
    epss: active
      .filter((f) => f.epss !== undefined)
      .sort((a, b) => (b.epss?.score ?? 0) - (a.epss?.score ?? 0) || compareFindings(a, b))
      .slice(0, epssTop),
  };
}
