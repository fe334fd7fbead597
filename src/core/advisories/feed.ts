/**
 * The contract every feed driver implements. A driver knows one upstream format: where it is
 * published (live URLs), where it sits in a mirror laid out like the shared data folder, and how
 * to turn it into normalized records. Downloading, state and freshness live in sync.ts.
 */
import type { ImportReportBuilder } from './import-report.js';
import type { FeedRecord } from './model.js';
import { osvEcosystems } from '../sbom/package-types.js';
import { osvDistroDownloads } from './feeds/distro-sources.js';

/** Read everything a driver understands under `dir`, or exactly one `file`. */
export type FeedSource = { dir: string } | { file: string };

/** Receives records one at a time; a returned promise is awaited (backpressure). */
export type RecordSink = (record: FeedRecord) => void | Promise<void>;

/** One upstream file and where it lands in the mirror layout (relative to `mirrorSubdir`). */
export interface UpstreamFile {
  url: string;
  path: string;
}

export interface ReadResult {
  /** The upstream's own version stamp when it has one (catalogVersion, newest `modified`, ...). */
  sourceVersion?: string;
}

export interface FeedDriver {
  /** Stable id, e.g. 'osv'. */
  id: string;
  /** Bump when the records produced for the same input change. */
  version: number;
  /** Folder of a mirror (and of the download cache) holding this driver's files. */
  mirrorSubdir: string;
  /** Live upstream files; empty when the source is mirror-only. */
  upstream(options: UpstreamOptions): UpstreamFile[];
  /**
   * For upstreams whose file names are published in an index (a yum mirror list and
   * repomd.xml, a "latest archive" pointer): called after each round of downloads with the
   * download folder and the round number (1 after `upstream()`'s files). Returns the next files
   * to fetch, [] when complete; may delete files of that folder the index no longer names.
   */
  followUp?(dir: string, round: number): Promise<UpstreamFile[]>;
  /**
   * Streams records to `onRecord`. Record-level problems go to `report`; a file that cannot be
   * read at all (truncated gzip/zip, bad header) throws a PortcullisError naming it.
   */
  read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult>;
}

export interface UpstreamOptions {
  /** OSV ecosystems to download (`<Ecosystem>/all.zip`). */
  osvEcosystems: readonly string[];
  /** Alpine secdb releases, e.g. 'v3.18'. */
  alpineReleases: readonly string[];
}

export const DEFAULT_UPSTREAM_OPTIONS: UpstreamOptions = Object.freeze({
  // Every OSV ecosystem a cataloged package type is matched against (the package-type table),
  // plus the distros whose advisories are published as OSV (one zip per vendor, every release
  // inside): Ubuntu, AlmaLinux, Rocky Linux, SUSE, openSUSE, Wolfi, Chainguard (distro table).
  osvEcosystems: Object.freeze([...osvEcosystems().map((e) => e.ecosystem), ...osvDistroDownloads()]),
  alpineReleases: Object.freeze(['v3.17', 'v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22']),
});
