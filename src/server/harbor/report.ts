/**
 * A finished Harbor scan's report, in the type Harbor asked for, built from the analysis the
 * scan shares by digest (so a re-match after a feed sync shows in the next report).
 */
import type { Finding } from '../../core/matching/types.js';
import {
  harborVulnerabilityReport,
  type HarborArtifact,
  type HarborScanner,
} from '../../core/report/harbor.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import { renderSbom } from '../../core/sbom/formats/index.js';
import type { AnalysisRecord } from '../../store/repositories/analyses.js';
import type { HarborScan } from '../../store/repositories/harbor-scans.js';
import { contentTypeOf, type ReportKind, type SbomMediaType } from './mime.js';

export interface RenderedReport {
  contentType: string;
  body: string;
}

function artifactOf(scan: HarborScan): HarborArtifact {
  return {
    repository: scan.repository,
    digest: scan.digest,
    ...(scan.tag !== null ? { tag: scan.tag } : {}),
    mime_type: scan.mimeType,
  };
}

export function renderHarborReport(
  kind: ReportKind,
  scan: HarborScan,
  analysis: AnalysisRecord,
  scanner: HarborScanner,
  sbomMediaType: SbomMediaType,
  now: Date,
): RenderedReport {
  // The analysis was written by the analyze-image job in these shapes.
  const document = analysis.sbom as SbomDocument;
  const artifact = artifactOf(scan);
  if (kind === 'sbom') {
    const sbom: unknown = JSON.parse(
      renderSbom(document, sbomMediaType === 'application/spdx+json' ? 'spdx-json' : 'cyclonedx-json'),
    );
    const report = {
      generated_at: now.toISOString(),
      artifact,
      scanner,
      vendor_attributes: { packages: document.packages.length },
      media_type: sbomMediaType,
      sbom,
    };
    return { contentType: contentTypeOf(kind), body: JSON.stringify(report) };
  }
  const report = harborVulnerabilityReport(
    {
      generatedAt: now,
      artifact,
      scanner,
      findings: analysis.findings as Finding[],
      layers: document.source?.layers ?? [],
    },
    kind === 'generic' ? '1.1' : '1.0',
  );
  return { contentType: contentTypeOf(kind), body: JSON.stringify(report) };
}
