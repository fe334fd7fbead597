/**
 * Use case: scan. Analyse → match → suppress, then the report every renderer reads: every
 * finding (suppressed ones included), sorted, with the database's freshness.
 */
import type { NormalizedSeverity } from '../matching/types.js';
import { SCAN_SCHEMA_VERSION, sortFindings, type ScanReport } from '../report/index.js';
import type { SortKey } from '../report/severity-gate.js';
import { failClosedReasons, type FailClosedReason } from '../policy/fail-closed.js';
import type { SbomDocument } from '../sbom/document.js';
import { PORTCULLIS_VERSION } from '../version.js';
import { isStale } from './data-state.js';
import { findVulnerabilities, type FindingsRequest, type FindingsResult } from './findings.js';

export interface ScanRequest extends FindingsRequest {
  /** The severity threshold the report is judged by, recorded in it. */
  failOn?: NormalizedSeverity;
  sortBy?: SortKey;
  /** With `failOn`: let an image whose package database could not be read pass the gate. */
  allowUnreadablePackageDb?: boolean;
}

export interface ScanResult {
  report: ScanReport;
  document: SbomDocument;
  stage: FindingsResult;
  /**
   * Why the `failOn` gate fails whatever the findings (the rule `evaluate` applies): empty
   * without `failOn` or with `allowUnreadablePackageDb`.
   */
  failClosed: FailClosedReason[];
}

/** The report of already-computed findings (shared with explain). */
export function scanReport(
  stage: FindingsResult,
  request: Pick<ScanRequest, 'failOn' | 'sortBy'>,
): ScanReport {
  const document = stage.analysis.document;
  const stale = isStale(stage.dataState, stage.now);
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    descriptor: { name: 'portcullis', version: PORTCULLIS_VERSION },
    createdAt: stage.now.toISOString(),
    source: document.source,
    ...(document.distro ? { distro: document.distro } : {}),
    database: {
      feeds: stage.feeds.map((f) => ({ source: f.source, lastSync: f.lastSync, records: f.records })),
      available: stage.dataState.available,
      ...(stage.dataState.oldestSyncAt ? { oldestSyncAt: stage.dataState.oldestSyncAt } : {}),
      staleAfterHours: stage.dataState.staleAfterHours,
      stale,
      ...(stage.dataState.distroGap ? { distroGap: stage.dataState.distroGap } : {}),
    },
    ...(stage.baseLayerCount === undefined ? {} : { baseLayerCount: stage.baseLayerCount }),
    ...(request.failOn ? { failOn: request.failOn } : {}),
    findings: sortFindings(stage.findings, request.sortBy ?? 'severity'),
  };
}

export async function scan(request: ScanRequest): Promise<ScanResult> {
  const stage = await findVulnerabilities(request);
  const document = stage.analysis.document;
  const failClosed =
    request.failOn === undefined
      ? []
      : failClosedReasons(
          { unknowns: document.unknowns, vulnerabilityData: stage.dataState },
          {
            allowUnreadablePackageDb: request.allowUnreadablePackageDb === true,
            allowNoVulnData: request.requirements?.allowNoData === true,
          },
        );
  return { report: scanReport(stage, request), document, stage, failClosed };
}
