/**
 * The MIME types of Harbor's pluggable scanner adapter API (spec v1.1, the SBOM report of
 * v1.2), and choosing the report a request's Accept header asks for.
 */
export const MIME = {
  metadata: 'application/vnd.scanner.adapter.metadata+json; version=1.0',
  scanRequest: 'application/vnd.scanner.adapter.scan.request+json; version=1.0',
  scanResponse: 'application/vnd.scanner.adapter.scan.response+json; version=1.0',
  error: 'application/vnd.scanner.adapter.error+json; version=1.0',
  nativeReport: 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
  genericReport: 'application/vnd.security.vulnerability.report; version=1.1',
  sbomReport: 'application/vnd.security.sbom.report+json; version=1.0',
} as const;

/** What Harbor may ask to have scanned: single image manifests (it scans an index's children). */
export const CONSUMED_MIME_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export const SBOM_MEDIA_TYPES = ['application/vnd.cyclonedx+json', 'application/spdx+json'] as const;
export type SbomMediaType = (typeof SBOM_MEDIA_TYPES)[number];

export type ReportKind = 'native' | 'generic' | 'sbom';

/** `type/subtype; version=x` with parameters lower-cased and spaces dropped, for comparing. */
function normalize(mime: string): string {
  const [type = '', ...params] = mime.split(';').map((p) => p.trim().toLowerCase());
  const version = params.find((p) => p.startsWith('version='));
  return version ? `${type};${version.replace(/\s/g, '')}` : type;
}

const KINDS: readonly [string, ReportKind][] = [
  [normalize(MIME.nativeReport), 'native'],
  [normalize(MIME.genericReport), 'generic'],
  [normalize(MIME.sbomReport), 'sbom'],
];

/**
 * The report the Accept header names (Harbor sends one type). Missing or `*\/*`: the native
 * report, as the spec says. A type without `version=` matches its versioned one.
 */
export function reportKind(accept: string | undefined): ReportKind | undefined {
  if (accept === undefined || accept.trim() === '') return 'native';
  for (const part of accept.split(',')) {
    const wanted = normalize(part.replace(/;\s*q=[0-9.]+/i, ''));
    if (wanted === '*/*') return 'native';
    const hit = KINDS.find(([type]) => type === wanted || type.split(';')[0] === wanted);
    if (hit) return hit[1];
  }
  return undefined;
}

export function contentTypeOf(kind: ReportKind): string {
  return kind === 'native' ? MIME.nativeReport : kind === 'generic' ? MIME.genericReport : MIME.sbomReport;
}
