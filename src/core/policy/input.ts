/**
 * What the policy engine evaluates: a plain, analysis-agnostic view of one image. The image
 * analysis (SBOM, matching, secret and content scans) is adapted to this shape at integration
 * time, so gates never depend on how the facts were found.
 */
import type { DistroDataGap } from '../matching/distro-coverage.js';
import type { Package, Unknown } from '../sbom/model.js';

/** Normalized severity labels, ordered as Anchore orders them (Unknown lowest). */
export const SEVERITIES = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface CvssScores {
  base: number;
  exploitability?: number;
  impact?: number;
}

export interface VulnerabilityFinding {
  /** Advisory id as matched (CVE-…, GHSA-…, DSA-…). */
  id: string;
  aliases: string[];
  package: { name: string; version: string; type: Package['type']; path?: string };
  severity: Severity;
  vendorSeverity?: string;
  cvssV3: { nvd?: CvssScores; vendor?: CvssScores };
  fixedVersions: string[];
  /** `wont-fix` means the vendor decided not to fix: skipped when `vendor_only` is true. */
  fixState: 'fixed' | 'not-fixed' | 'wont-fix' | 'unknown';
  publishedAt?: Date;
  /** When the fix was first published/observed (drives `max_days_since_fix`). */
  fixPublishedAt?: Date;
  kev: boolean;
  epss?: { score: number; percentile: number };
  /** Layer attribution: in the base image's layers, or added by the application's layers. */
  origin: 'base' | 'app' | 'unknown';
  /** Matcher confidence 0..1 (CPE fallbacks are low). */
  confidence: number;
  /** Advisory namespace, e.g. `debian:12`, `github:npm`. */
  namespace: string;
}

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface FileRecord {
  path: string;
  type: FileType;
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777); the type lives in `type`. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  linkTarget?: string;
}

/** A regex hit from the content or secret scanners. */
export interface ContentMatch {
  path: string;
  /** Name of the scanner rule (e.g. AWS_ACCESS_KEY). */
  rule: string;
  line?: number;
}

/** A vulnerability feed and when it was last synchronised. */
export interface FeedStatus {
  name: string;
  /** Distro namespaces the feed covers, e.g. `debian:12`, `alpine:3.20`. */
  namespaces: string[];
  lastSync?: Date;
  records: number;
}

/** Upstream registry metadata for npm / gem packages (the `packages` feed of Anchore). */
export interface PackageFeed {
  lookup(name: string): { latest: string; versions: readonly string[] } | undefined;
}

export interface ImageFacts {
  digest: string;
  id?: string;
  tags: string[];
  registry?: string;
  repository?: string;
  tag?: string;
  distro?: { name: string; version: string; like: string[] };
  /** Uncompressed size in bytes. */
  size?: number;
  architecture?: string;
  os?: string;
  layerCount: number;
  createdAt?: Date;
}

export interface ImageConfigFacts {
  user: string;
  env: string[];
  /** As in the OCI config keys: `22/tcp`, `53/udp`. */
  exposedPorts: string[];
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
  healthcheck?: { test: string[] };
  history: { createdBy: string; emptyLayer: boolean }[];
}

export interface PolicyInput {
  image: ImageFacts;
  config: ImageConfigFacts;
  /** The Dockerfile given with the image, or one reconstructed from the history. */
  dockerfile?: { text: string; source: 'supplied' | 'reconstructed' };
  packages: Package[];
  findings: VulnerabilityFinding[];
  files: FileRecord[];
  /** Contents of files retrieved at analysis (e.g. /etc/passwd); undefined when not stored. */
  fileContents: (path: string) => Buffer | undefined;
  contentMatches: ContentMatch[];
  secrets: ContentMatch[];
  feeds: FeedStatus[];
  /** Files that differ from the package database (`packages`/`verify`). */
  packageFileIssues?: { package: string; path: string; issue: 'changed' | 'missing' }[];
  /** Malware scan result; absent when no scan ran. */
  malware?: { findings: { path: string; signature: string }[] };
  /** Package-metadata feeds for the npms / ruby_gems gates; absent means not configured. */
  packageFeeds?: { npm?: PackageFeed; gem?: PackageFeed };
  /**
   * State of the vulnerability database as a whole, filled by the pipeline: whether any data is
   * loaded, the oldest feed sync (ISO 8601) and the age after which data counts as stale.
   * Absent for callers that do not know it; the vulnerability gates then use `feeds` only.
   */
  vulnerabilityData?: {
    available: boolean;
    oldestSyncAt?: string;
    staleAfterHours: number;
    /** The image's OS packages have no data to be checked against (evaluation fails closed). */
    distroGap?: DistroDataGap;
  };
  /**
   * The SBOM's unknowns (files that could not be read or parsed). Evaluation fails closed on
   * those coded `PACKAGE_DB_UNREADABLE` (see `evaluatePolicy`); absent means none recorded.
   */
  unknowns?: Unknown[];
  now: Date;
}
