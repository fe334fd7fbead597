/**
 * One normalized severity per finding from everything known about it. Scores beat labels;
 * NVD's CVSS is preferred, then the CNA's/ADP's (vulnrichment), then the advisory's own
 * vectors, then labels (GHSA, Debian urgency). Thresholds are CVSS v3's qualitative scale.
 */
import type { CvssRecord, Severity } from '../advisories/model.js';
import type { NormalizedSeverity, SeverityEntry } from './types.js';

export function fromScore(score: number): NormalizedSeverity {
  if (score >= 9) return 'Critical';
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  if (score > 0) return 'Low';
  return 'Negligible';
}

const LABELS: Record<string, NormalizedSeverity> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  IMPORTANT: 'High',
  MODERATE: 'Medium',
  MEDIUM: 'Medium',
  LOW: 'Low',
  NEGLIGIBLE: 'Negligible',
  UNIMPORTANT: 'Negligible',
  NONE: 'Negligible',
};

export function fromLabel(label: string | undefined): NormalizedSeverity {
  return (label && LABELS[label.toUpperCase()]) || 'Unknown';
}

function cvssRank(c: CvssRecord): number {
  const bySource = c.source === 'nvd@nist.gov' ? 0 : c.source.startsWith('vulnrichment') ? 2 : 1;
  const byVersion = c.version.startsWith('3') ? 0 : c.version.startsWith('4') ? 1 : 2;
  return bySource * 10 + byVersion;
}

export function normalizeSeverity(
  cvss: readonly CvssRecord[],
  advisorySeverities: readonly Severity[],
): { severity: NormalizedSeverity; entries: SeverityEntry[] } {
  const entries: SeverityEntry[] = [
    ...cvss.map((c) => ({
      source: c.source,
      scheme: `CVSS_V${c.version.split('.')[0]}`,
      score: c.baseScore,
      vector: c.vector,
    })),
    ...advisorySeverities.map((s) => ({
      source: s.source,
      scheme: s.scheme,
      ...(s.score !== undefined ? { score: s.score } : {}),
      ...(s.vector ? { vector: s.vector } : {}),
      ...(s.label ? { label: s.label } : {}),
    })),
  ];
  // The first of the best-ranked v3/v4 scores, as a stable sort would put first, without copies.
  let best: CvssRecord | undefined;
  for (const c of cvss) {
    if (!c.version.startsWith('2') && (best === undefined || cvssRank(c) < cvssRank(best))) best = c;
  }
  if (best) return { severity: fromScore(best.baseScore), entries };
  const scored = advisorySeverities.find((s) => s.score !== undefined && s.scheme !== 'CVSS_V2');
  if (scored?.score !== undefined) return { severity: fromScore(scored.score), entries };
  const labelled = advisorySeverities.map((s) => fromLabel(s.label)).find((s) => s !== 'Unknown');
  if (labelled) return { severity: labelled, entries };
  const v2 = cvss.find((c) => c.version.startsWith('2'));
  return { severity: v2 ? fromScore(v2.baseScore) : 'Unknown', entries };
}
