/**
 * CycloneDX 1.6 with vulnerabilities: the SBOM's components (from the SBOM exporter) plus one
 * `vulnerabilities[]` entry per finding, whose `affects` points at the component's bom-ref and
 * whose `references` carry the finding's aliases. Built with @cyclonedx/cyclonedx-library so the
 * serializer applies the spec's normalization; validated against the official schema in tests.
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Finding, NormalizedSeverity } from '../matching/types.js';
import { buildCycloneDxBom } from '../sbom/formats/cyclonedx.js';
import { advisoryDatabase, advisoryUrl } from './advisory-links.js';
import type { RenderInput } from './types.js';
import { dataNotice } from './data-notice.js';

const SEVERITY: Record<NormalizedSeverity, Enums.Vulnerability.Severity> = {
  Unknown: Enums.Vulnerability.Severity.Unknown,
  Negligible: Enums.Vulnerability.Severity.Info,
  Low: Enums.Vulnerability.Severity.Low,
  Medium: Enums.Vulnerability.Severity.Medium,
  High: Enums.Vulnerability.Severity.High,
  Critical: Enums.Vulnerability.Severity.Critical,
};

function methodOf(version: string): Enums.Vulnerability.RatingMethod {
  if (version === '2.0') return Enums.Vulnerability.RatingMethod.CVSSv2;
  if (version === '3.0') return Enums.Vulnerability.RatingMethod.CVSSv3;
  if (version === '3.1') return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (version.startsWith('4')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  return Enums.Vulnerability.RatingMethod.Other;
}

function cdxSeverity(label: string | undefined): Enums.Vulnerability.Severity | undefined {
  const l = label?.toLowerCase();
  return Object.values(Enums.Vulnerability.Severity).find((s) => s === l);
}

/** How a suppression maps onto CycloneDX's analysis states. */
const ANALYSIS_STATE: Record<NonNullable<Finding['suppressed']>['by'], Enums.Vulnerability.AnalysisState> = {
  vex: Enums.Vulnerability.AnalysisState.NotAffected,
  changelog: Enums.Vulnerability.AnalysisState.Resolved,
  'ignore-rule': Enums.Vulnerability.AnalysisState.InTriage,
};

function source(id: string): Models.Vulnerability.Source {
  return new Models.Vulnerability.Source({ name: advisoryDatabase(id), url: advisoryUrl(id) });
}

function vulnerabilityOf(f: Finding, ref: Models.BomRef): Models.Vulnerability.Vulnerability {
  const v = new Models.Vulnerability.Vulnerability({
    bomRef: `${f.id}@${f.package.id}`,
    id: f.id,
    source: source(f.id),
    ...(f.summary ? { description: f.summary } : {}),
    ...(f.fixedVersions.length
      ? { recommendation: `Upgrade ${f.package.name} to ${f.fixedVersions.join(' or ')}` }
      : {}),
    ...(f.published && !Number.isNaN(Date.parse(f.published)) ? { published: new Date(f.published) } : {}),
  });
  for (const alias of f.aliases) v.references.add(new Models.Vulnerability.Reference(alias, source(alias)));
  for (const c of f.cvss) {
    const severity = cdxSeverity(c.severity);
    v.ratings.add(
      new Models.Vulnerability.Rating({
        source: new Models.Vulnerability.Source({ name: c.source }),
        score: c.baseScore,
        method: methodOf(c.version),
        vector: c.vector,
        ...(severity ? { severity } : {}),
      }),
    );
  }
  v.ratings.add(
    new Models.Vulnerability.Rating({
      source: new Models.Vulnerability.Source({ name: 'portcullis' }),
      severity: SEVERITY[f.severity],
      method: Enums.Vulnerability.RatingMethod.Other,
    }),
  );
  v.affects.add(
    new Models.Vulnerability.Affect(ref, {
      versions: new Models.Vulnerability.AffectedVersionRepository([
        new Models.Vulnerability.AffectedSingleVersion(f.package.version, {
          status: Enums.Vulnerability.AffectStatus.Affected,
        }),
      ]),
    }),
  );
  if (f.suppressed) {
    v.analysis = new Models.Vulnerability.Analysis({
      state: ANALYSIS_STATE[f.suppressed.by],
      detail: `suppressed by ${f.suppressed.by}: ${f.suppressed.reason}`,
    });
  }
  const props: [string, string | undefined][] = [
    ['fixState', f.fixState],
    ['fixedVersions', f.fixedVersions.join(', ') || undefined],
    ['origin', f.origin],
    ['originLayer', f.originLayer],
    ['kev', f.kev ? f.kev.dateAdded : undefined],
    ['epss', f.epss ? String(f.epss.score) : undefined],
    ['epssPercentile', f.epss ? String(f.epss.percentile) : undefined],
  ];
  for (const [name, value] of props) {
    if (value !== undefined) v.properties.add(new Models.Property(`portcullis:finding:${name}`, value));
  }
  return v;
}

export function renderCycloneDx({ report, document }: RenderInput, serialNumber?: string): string {
  const bom = buildCycloneDxBom(document, serialNumber);
  const refs = new Map<string, Models.BomRef>();
  for (const c of bom.components) if (c.bomRef.value) refs.set(c.bomRef.value, c.bomRef);
  for (const f of report.findings) {
    // A finding whose package is not in the SBOM (cannot happen for our own scans) still names it.
    const ref = refs.get(f.package.id) ?? new Models.BomRef(f.package.id);
    bom.vulnerabilities.add(vulnerabilityOf(f, ref));
  }
  const notice = dataNotice(report);
  if (notice) bom.metadata.properties.add(new Models.Property('portcullis:vulnerability-data', notice));
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: true, space: 2 }) + '\n';
}
