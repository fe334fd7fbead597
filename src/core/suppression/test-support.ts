/** A minimal finding for suppression tests: only the fields suppression reads matter. */
import type { Finding } from '../matching/types.js';
import type { PackageType } from '../sbom/model.js';

export function finding(
  id: string,
  pkg: { name: string; version: string; type: PackageType; purl: string; path?: string; id?: string },
  extra: Partial<Finding> = {},
): Finding {
  return {
    id,
    aliases: [],
    package: { id: pkg.id ?? `${pkg.type}-${pkg.name}-${pkg.version}`, ...pkg },
    fixState: 'fixed',
    fixedVersions: [],
    severity: 'High',
    severities: [],
    cvss: [],
    origin: 'unknown',
    confidence: 1,
    evidence: [],
    ...extra,
  };
}
