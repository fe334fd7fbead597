/**
 * The scan report every renderer reads: the findings of one scan plus what they were matched
 * against (source, distro, database freshness). Plain JSON-serializable data; the native JSON
 * output is this object as is (schema/portcullis-scan-1.0.schema.json).
 */
import type { SbomDistro, SbomDocument, SbomSource } from '../sbom/document.js';
import type { DistroDataGap } from '../matching/distro-coverage.js';
import type { Finding, NormalizedSeverity } from '../matching/types.js';

export const SCAN_SCHEMA_VERSION = '1.0.0';

export interface FeedFreshnessEntry {
  source: string;
  lastSync: string;
  records: number;
}

export interface ScanReport {
  schemaVersion: string;
  descriptor: { name: 'portcullis'; version: string };
  createdAt: string;
  source: SbomSource;
  distro?: SbomDistro;
  database: {
    feeds: FeedFreshnessEntry[];
    /** False when the database held no advisories (the caller opted out of requiring data). */
    available?: boolean;
    /** Last sync of the least recently synced feed. */
    oldestSyncAt?: string;
    /** Age past which the data counts as stale. */
    staleAfterHours?: number;
    /** The data was older than staleAfterHours when the report was made. */
    stale?: boolean;
    /** The image's OS packages had no vulnerability data to be checked against. */
    distroGap?: DistroDataGap;
  };
  /** Layers [0, baseLayerCount) were attributed to the base image; absent when unknown. */
  baseLayerCount?: number;
  /** The `--fail-on` threshold the scan was run with, if any. */
  failOn?: NormalizedSeverity;
  /** Every finding, suppressed ones included (they carry `suppressed`). */
  findings: Finding[];
}

/** What renderers get: the report, and the SBOM it was computed from (components for CycloneDX). */
export interface RenderInput {
  report: ScanReport;
  document: SbomDocument;
}
