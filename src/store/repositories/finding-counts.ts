/**
 * The counts of an analysis's findings that the UI sorts and filters the images table on,
 * stored in `analysis.finding_counts` beside the findings. Every writer of `analysis.findings`
 * writes them too, computed here: migration 62 (ADR 0033) turned the column from one the
 * database computed on every write (about half the cost of the re-match's findings update)
 * into a plain one. `ui_finding_counts` (migration 61) stays as the definition these counts
 * follow exactly; finding-counts.test.ts checks both agree after every write path.
 */

export interface FindingCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  fixable: number;
  kev: number;
  total: number;
}

/** What `f ? key` tells of a finding as stored: JSON drops undefined, so only defined keys exist. */
const has = (f: Record<string, unknown>, key: string): boolean =>
  Object.hasOwn(f, key) && f[key] !== undefined;

/** Every count at zero, in the order the UI lists them. */
export function noFindingCounts(): FindingCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, fixable: 0, kev: 0, total: 0 };
}

/**
 * The counts of findings as `ui_finding_counts` computes them from the stored JSON: suppressed
 * findings left out, Low and Negligible counted together, a missing severity as unknown, and
 * anything but an array counted as no findings.
 */
export function findingCounts(findings: unknown): FindingCounts {
  const counts = noFindingCounts();
  if (!Array.isArray(findings)) return counts;
  for (const item of findings as unknown[]) {
    // Findings are objects; anything else has no keys and counts as a finding of unknown severity.
    const f =
      typeof item === 'object' && item !== null && !Array.isArray(item)
        ? (item as Record<string, unknown>)
        : {};
    if (has(f, 'suppressed')) continue;
    counts.total++;
    const severity = f.severity;
    if (severity === 'Critical') counts.critical++;
    else if (severity === 'High') counts.high++;
    else if (severity === 'Medium') counts.medium++;
    else if (severity === 'Low' || severity === 'Negligible') counts.low++;
    else if (severity === 'Unknown' || severity === undefined || severity === null) counts.unknown++;
    if (f.fixState === 'fixed') counts.fixable++;
    if (has(f, 'kev')) counts.kev++;
  }
  return counts;
}

/** The counts as the JSON text a statement passes for the jsonb column. */
export const findingCountsJson = (findings: unknown): string => JSON.stringify(findingCounts(findings));
