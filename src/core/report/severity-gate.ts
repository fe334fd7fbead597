/**
 * Severity thresholds, filters and orderings shared by the scan command and the renderers, so
 * that the exit code, the JUnit failures and the SARIF levels agree on what "at or above" means.
 */
import { PortcullisError } from '../errors.js';
import { SEVERITY_ORDER, type Finding, type NormalizedSeverity } from '../matching/types.js';

export const SORT_KEYS = ['severity', 'epss', 'kev', 'package'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** `--fail-on` accepts any case; 'unknown' is not a threshold (it would fail on everything). */
export function parseSeverity(text: string, flag = '--fail-on'): NormalizedSeverity {
  const found = SEVERITY_ORDER.find((s) => s !== 'Unknown' && s.toLowerCase() === text.toLowerCase());
  if (!found) {
    const allowed = SEVERITY_ORDER.filter((s) => s !== 'Unknown').map((s) => s.toLowerCase());
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `${flag} must be one of ${allowed.join(', ')}, got "${text}"`,
    );
  }
  return found;
}

export function severityRank(s: NormalizedSeverity): number {
  return SEVERITY_ORDER.indexOf(s);
}

export function atOrAbove(finding: Finding, threshold: NormalizedSeverity): boolean {
  return severityRank(finding.severity) >= severityRank(threshold);
}

/** Findings that fail the gate: unsuppressed and at or above the threshold. */
export function gateFailures(
  findings: readonly Finding[],
  threshold: NormalizedSeverity | undefined,
): Finding[] {
  if (threshold === undefined) return [];
  return findings.filter((f) => !f.suppressed && atOrAbove(f, threshold));
}

/** `--only-fixed`: keep findings for which a fixed version exists. */
export function onlyFixed(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.fixState === 'fixed' && f.fixedVersions.length > 0);
}

function bySeverity(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.package.name.localeCompare(b.package.name) ||
    a.package.version.localeCompare(b.package.version) ||
    a.id.localeCompare(b.id)
  );
}

const COMPARATORS: Record<SortKey, (a: Finding, b: Finding) => number> = {
  severity: bySeverity,
  epss: (a, b) => (b.epss?.score ?? -1) - (a.epss?.score ?? -1) || bySeverity(a, b),
  kev: (a, b) => Number(b.kev !== undefined) - Number(a.kev !== undefined) || bySeverity(a, b),
  package: (a, b) =>
    a.package.name.localeCompare(b.package.name) ||
    a.package.version.localeCompare(b.package.version) ||
    (a.package.path ?? '').localeCompare(b.package.path ?? '') ||
    bySeverity(a, b),
};

export function parseSortKey(text: string): SortKey {
  const key = SORT_KEYS.find((k) => k === text);
  if (!key) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--sort-by must be one of ${SORT_KEYS.join(', ')}, got "${text}"`,
    );
  }
  return key;
}

export function sortFindings(findings: readonly Finding[], key: SortKey): Finding[] {
  return [...findings].sort(COMPARATORS[key]);
}
