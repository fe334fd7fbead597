/**
 * The import report: what a driver read, emitted and skipped. Record-level problems are counted
 * here, never thrown, so one bad advisory cannot stop an import.
 */

export type SkipReason =
  | 'malformed-record'
  | 'unknown-ecosystem'
  | 'unknown-release'
  | 'unparsable-version'
  | 'unparsable-range'
  | 'duplicate-id'
  | 'empty-releases'
  | 'too-large';

export interface SkippedItem {
  reason: SkipReason;
  id?: string;
  file: string;
  detail?: string;
}

export interface ImportReport {
  driver: string;
  /** Files read, in order. */
  files: string[];
  /** Upstream entries read: OSV documents, tracker (package, CVE, release) entries, NVD items, rows. */
  entries: number;
  /** Normalized records emitted. */
  records: number;
  /** The first `MAX_SKIPPED_DETAILS` skipped items, for humans; counts are complete. */
  skipped: SkippedItem[];
  skippedByReason: Partial<Record<SkipReason, number>>;
  durationMs: number;
}

/** Keeps the report bounded even when a feed is garbage from end to end. */
export const MAX_SKIPPED_DETAILS = 1000;

export class ImportReportBuilder {
  private readonly report: ImportReport;
  private readonly started = performance.now();

  constructor(driver: string) {
    this.report = {
      driver,
      files: [],
      entries: 0,
      records: 0,
      skipped: [],
      skippedByReason: {},
      durationMs: 0,
    };
  }

  file(path: string): void {
    this.report.files.push(path);
  }

  entry(count = 1): void {
    this.report.entries += count;
  }

  record(count = 1): void {
    this.report.records += count;
  }

  skip(item: SkippedItem): void {
    this.report.skippedByReason[item.reason] = (this.report.skippedByReason[item.reason] ?? 0) + 1;
    if (this.report.skipped.length < MAX_SKIPPED_DETAILS) this.report.skipped.push(item);
  }

  get skippedTotal(): number {
    return Object.values(this.report.skippedByReason).reduce((a, b) => a + (b ?? 0), 0);
  }

  finish(): ImportReport {
    this.report.durationMs = Math.round(performance.now() - this.started);
    return { ...this.report, files: [...this.report.files], skipped: [...this.report.skipped] };
  }
}
