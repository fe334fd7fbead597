/** Findings of a Debian package for notification tests and benchmarks, and their diff rows. */
import type { Finding, NormalizedSeverity } from '../../core/matching/types.js';
import { toRow, type VulnerabilityRow } from '../diff.js';

export function debianFinding(
  id: string,
  name: string,
  version: string,
  severity: NormalizedSeverity,
  options: { fix?: string; suppressed?: boolean } = {},
): Finding {
  return {
    id,
    aliases: [],
    package: {
      id: `${name}@${version}`,
      name,
      version,
      type: 'deb',
      purl: `pkg:deb/debian/${name}@${version}`,
    },
    fixState: 'fixed',
    fixedVersions: [options.fix ?? `${version}+fix`],
    severity,
    severities: [],
    cvss: [],
    origin: 'base',
    confidence: 1,
    evidence: [],
    ...(options.suppressed ? { suppressed: { by: 'ignore-rule', reason: 'test' } } : {}),
  };
}

/** The `diff_vulnerability_result` row of such a finding. */
export const debianRow = (...args: Parameters<typeof debianFinding>): VulnerabilityRow =>
  toRow(debianFinding(...args));
