/**
 * The normalized vulnerability model every feed driver produces and the store, matchers and
 * reports consume. Plain JSON-serializable data, no behaviour. Upstream formats never leak past
 * the drivers: each driver validates its input with zod and maps it onto these records.
 */

import type { SchemeId } from '../versioning/types.js';

/** Version scheme deciding how `ranges`, `versions` and `fixedVersions` compare. */
export type VersionScheme = SchemeId;

/** One OSV-style event; exactly one key is set. `introduced: "0"` means "from the start". */
export type RangeEvent =
  { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

/**
 * An affected range, OSV semantics: events in order, versions in `[introduced, fixed)` or
 * `[introduced, last_affected]` are affected. `SEMVER` ranges compare with SemVer 2.0 precedence,
 * `ECOSYSTEM` ranges with the advisory's `versionScheme`.
 */
export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER';
  events: RangeEvent[];
}

export type FixState = 'fixed' | 'not-fixed' | 'wont-fix' | 'unknown';

export interface Severity {
  /** Who scored it: 'nvd@nist.gov', 'debian', 'osv:npm', 'rubysec', ... */
  source: string;
  scheme: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'label';
  score?: number;
  vector?: string;
  /** Upper-case label for 'label' entries (LOW, MODERATE, HIGH, CRITICAL, ...). */
  label?: string;
}

export interface RecordSource {
  driver: string;
  /** File the record was read from; for zips `<zip>!<member>`. */
  file: string;
  /** Upstream identity inside the file (advisory id, `<package>/<cve>/<release>`, ...). */
  recordId: string;
}

/** Distro-tracker facts that change how a finding is presented, not whether it matches. */
export interface DistroFlags {
  /** Debian `nodsa` text: the security team will not issue an advisory (minor issue). */
  nodsa?: string;
  nodsaReason?: string;
  /** The release is out of security support for this package (urgency `end-of-life`). */
  endOfLife?: boolean;
  /** Debian marks urgencies it copied from NVD rather than assessed with a `**` suffix. */
  urgencyFromNvd?: boolean;
}

/**
 * The release part of a rolling distro's namespace (`wolfi:rolling`, `opensuse-tumbleweed:rolling`):
 * one stream, whatever snapshot date the image's VERSION_ID carries.
 */
export const ROLLING_RELEASE = 'rolling';

/** One record per (advisory, namespace, package). */
export interface Advisory {
  id: string;
  /** Other ids of the same vulnerability (CVE, GHSA, ...), never including `id`. */
  aliases: string[];
  /** Distro release ('debian:12', 'alpine:3.18') or language ecosystem ('osv:npm', 'osv:PyPI'). */
  namespace: string;
  /** Normalized with the ecosystem's rules, see package-names.ts. */
  packageName: string;
  versionScheme: VersionScheme;
  ranges: AffectedRange[];
  /** Explicitly listed affected versions (OSV `versions`), kept verbatim. */
  versions: string[];
  fixedVersions: string[];
  fixState: FixState;
  /** The distro says this package was never affected (Debian fixed_version 0, Alpine secfix "0"). */
  notAffected?: boolean;
  severities: Severity[];
  published?: string;
  modified?: string;
  /** When set, the advisory was retracted upstream: keep it for history, never match it. */
  withdrawn?: string;
  summary?: string;
  references: string[];
  /** Debian urgency without the `**` marker: unimportant, low, medium, high, not yet assigned. */
  urgency?: string;
  flags?: DistroFlags;
  source: RecordSource;
}

/**
 * What matching reads of an advisory: everything but its references and modification time,
 * which no finding carries (the store keeps this part as its own text, migration 6).
 */
export type MatchedAdvisory = Omit<Advisory, 'references' | 'modified'>;

export interface CvssRecord {
  cve: string;
  /** 'nvd@nist.gov', a CNA's address, 'vulnrichment:cna', 'vulnrichment:adp', ... */
  source: string;
  /** '2.0', '3.0', '3.1', '4.0' */
  version: string;
  vector: string;
  baseScore: number;
  severity?: string;
}

export interface KevRecord {
  cve: string;
  dateAdded: string;
  dueDate: string;
  /** CISA: 'Known' or 'Unknown'. */
  knownRansomware: boolean;
  vendor: string;
  product: string;
}

export interface EpssRecord {
  cve: string;
  /** Probability of exploitation in the next 30 days, 0..1. */
  epss: number;
  /** Rank among all scored CVEs, 0..1. */
  percentile: number;
}

/** CISA's SSVC decision points (vulnrichment ADP container). */
export interface SsvcRecord {
  cve: string;
  exploitation?: string;
  automatable?: string;
  technicalImpact?: string;
}

/** An NVD CPE applicability node, kept for the opt-in, low-confidence CPE matcher. */
export interface CpeNode {
  operator: 'AND' | 'OR';
  negate: boolean;
  cpeMatch: CpeMatch[];
  children: CpeNode[];
}

export interface CpeMatch {
  vulnerable: boolean;
  criteria: string;
  versionStartIncluding?: string;
  versionStartExcluding?: string;
  versionEndIncluding?: string;
  versionEndExcluding?: string;
}

export interface CpeConfigRecord {
  cve: string;
  /** Top-level configurations; each is a list of nodes combined with `operator`. */
  configurations: { operator: 'AND' | 'OR'; nodes: CpeNode[] }[];
}

/** What a driver emits, tagged so one sink can route records to their tables. */
export type FeedRecord =
  | { kind: 'advisory'; advisory: Advisory }
  | { kind: 'cvss'; cvss: CvssRecord }
  | { kind: 'kev'; kev: KevRecord }
  | { kind: 'epss'; epss: EpssRecord }
  | { kind: 'ssvc'; ssvc: SsvcRecord }
  | { kind: 'cpe-config'; cpe: CpeConfigRecord };
