/**
 * Harbor's vulnerability reports (pluggable scanner spec): the native
 * `application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0` and the generic
 * `application/vnd.security.vulnerability.report; version=1.1`, which adds CVSS, CWE ids and
 * vendor attributes. Harbor's severity names are ours. Suppressed findings are left out (a
 * VEX statement or the package's own changelog says the image is not affected).
 */
import type { CvssRecord } from '../advisories/model.js';
import { SEVERITY_ORDER, type Finding, type NormalizedSeverity } from '../matching/types.js';
import type { SbomLayer } from '../sbom/document.js';
import { advisoryUrl } from './advisory-links.js';

export interface HarborArtifact {
  repository: string;
  digest: string;
  tag?: string;
  mime_type?: string;
}

export interface HarborScanner {
  name: string;
  vendor: string;
  version: string;
}

export interface HarborCvss {
  score_v2?: number;
  score_v3?: number;
  vector_v2?: string;
  vector_v3?: string;
}

export interface HarborVulnerability {
  id: string;
  package: string;
  version: string;
  fix_version?: string;
  severity: NormalizedSeverity;
  description?: string;
  links: string[];
  layer?: { digest: string; diff_id: string };
  preferred_cvss?: HarborCvss;
  cwe_ids?: string[];
  vendor_attributes?: Record<string, unknown>;
}

export interface HarborVulnerabilityReport {
  generated_at: string;
  artifact: HarborArtifact;
  scanner: HarborScanner;
  severity: NormalizedSeverity;
  vulnerabilities: HarborVulnerability[];
}

export interface HarborReportInput {
  generatedAt: Date;
  artifact: HarborArtifact;
  scanner: HarborScanner;
  findings: readonly Finding[];
  /** The image's layers (SBOM source), to name each finding's layer by digest. */
  layers: readonly SbomLayer[];
}

/** Harbor's allowlist works on CVE ids: a finding known by a CVE alias is reported under it. */
function harborId(finding: Finding): string {
  return [finding.id, ...finding.aliases].find((id) => id.startsWith('CVE-')) ?? finding.id;
}

const isV3 = (c: CvssRecord) => c.version.startsWith('3');

/** NVD's own score first, then the first other scorer's. */
function pick(records: readonly CvssRecord[], want: (c: CvssRecord) => boolean): CvssRecord | undefined {
  const matching = records.filter(want);
  return matching.find((c) => c.source === 'nvd@nist.gov') ?? matching[0];
}

export function preferredCvss(finding: Finding): HarborCvss | undefined {
  const v3 = pick(finding.cvss, isV3);
  const v2 = pick(finding.cvss, (c) => c.version === '2.0');
  if (!v3 && !v2) return undefined;
  return {
    ...(v3 ? { score_v3: v3.baseScore, vector_v3: v3.vector } : {}),
    ...(v2 ? { score_v2: v2.baseScore, vector_v2: v2.vector } : {}),
  };
}

function links(finding: Finding, id: string): string[] {
  const ids = [id, ...[finding.id, ...finding.aliases].filter((a) => a !== id)];
  const urls = ids.map(advisoryUrl);
  if (id.startsWith('CVE-') && finding.evidence.some((e) => e.namespace.startsWith('debian:')))
    urls.push(`https://security-tracker.debian.org/tracker/${id}`);
  return [...new Set(urls)];
}

function vulnerability(
  finding: Finding,
  layers: readonly SbomLayer[],
  generic: boolean,
): HarborVulnerability {
  const id = harborId(finding);
  const layer = finding.originLayer ? layers.find((l) => l.diffId === finding.originLayer) : undefined;
  const base: HarborVulnerability = {
    id,
    package: finding.package.name,
    version: finding.package.version,
    ...(finding.fixedVersions.length > 0 ? { fix_version: finding.fixedVersions.join(', ') } : {}),
    severity: finding.severity,
    ...(finding.summary ? { description: finding.summary } : {}),
    links: links(finding, id),
    ...(layer ? { layer: { digest: layer.digest, diff_id: layer.diffId } } : {}),
  };
  if (!generic) return base;
  const cvss = preferredCvss(finding);
  return {
    ...base,
    ...(cvss ? { preferred_cvss: cvss } : {}),
    cwe_ids: [],
    vendor_attributes: {
      purl: finding.package.purl,
      package_type: finding.package.type,
      fix_state: finding.fixState,
      aliases: [finding.id, ...finding.aliases].filter((a) => a !== id),
      origin: finding.origin,
      ...(finding.epss ? { epss: finding.epss } : {}),
      ...(finding.kev ? { known_exploited: true, kev_date_added: finding.kev.dateAdded } : {}),
      cvss: finding.cvss.map((c) => ({
        source: c.source,
        version: c.version,
        vector: c.vector,
        score: c.baseScore,
      })),
    },
  };
}

/** The highest severity among the vulnerabilities (Unknown when there are none). */
export function overallSeverity(
  vulnerabilities: readonly { severity: NormalizedSeverity }[],
): NormalizedSeverity {
  let top = 0;
  for (const v of vulnerabilities) top = Math.max(top, SEVERITY_ORDER.indexOf(v.severity));
  return SEVERITY_ORDER[top] ?? 'Unknown';
}

export function harborVulnerabilityReport(
  input: HarborReportInput,
  version: '1.0' | '1.1',
): HarborVulnerabilityReport {
  const vulnerabilities = input.findings
    .filter((f) => !f.suppressed)
    .map((f) => vulnerability(f, input.layers, version === '1.1'));
  return {
    generated_at: input.generatedAt.toISOString(),
    artifact: input.artifact,
    scanner: input.scanner,
    severity: overallSeverity(vulnerabilities),
    vulnerabilities,
  };
}
