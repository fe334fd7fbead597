/**
 * What the matcher produces: one finding per (vulnerability, package), aliases merged, each
 * with the evidence that decided it.
 */
import type {
  Advisory,
  AffectedRange,
  CpeConfigRecord,
  CpeMatch,
  CvssRecord,
  FixState,
  KevRecord,
  MatchedAdvisory,
} from '../advisories/model.js';
import type { PackageType } from '../sbom/model.js';

export type NormalizedSeverity = 'Unknown' | 'Negligible' | 'Low' | 'Medium' | 'High' | 'Critical';

export const SEVERITY_ORDER: readonly NormalizedSeverity[] = [
  'Unknown',
  'Negligible',
  'Low',
  'Medium',
  'High',
  'Critical',
];

export interface Evidence {
  /** Advisory record that matched. */
  advisoryId: string;
  namespace: string;
  /** Package name as looked up (the source package for distro packages). */
  lookupName: string;
  /** Version compared (the source version for distro packages). */
  comparedVersion: string;
  scheme: string;
  /** The range (or explicit version) that contains the compared version. */
  matchedRange?: AffectedRange;
  matchedVersion?: string;
  /** How the package was looked up. */
  strategy:
    | 'distro-source-package'
    | 'distro-binary-package'
    | 'language-package'
    /** A jar whose Maven group is unknown, looked up by artifact under the groups it hints at. */
    | 'maven-artifact'
    | 'cpe';
  /** For `cpe` evidence: the NVD criterion and bounds that named the package. */
  cpeMatch?: CpeMatch;
  source: Advisory['source'];
}

export interface SeverityEntry {
  source: string;
  scheme: string;
  score?: number;
  vector?: string;
  label?: string;
}

export interface Finding {
  /** Primary id: the distro's or ecosystem's advisory id (CVE for distros, GHSA for npm, ...). */
  id: string;
  /** Every other id of the same vulnerability (CVE ↔ GHSA ↔ PYSEC ...). */
  aliases: string[];
  package: { id: string; name: string; version: string; type: PackageType; purl: string; path?: string };
  fixState: FixState;
  fixedVersions: string[];
  severity: NormalizedSeverity;
  /** Every severity we know, per source. */
  severities: SeverityEntry[];
  cvss: CvssRecord[];
  kev?: KevRecord;
  epss?: { score: number; percentile: number };
  /** Layer diffID of the package's origin, and whether that layer belongs to the base image. */
  originLayer?: string;
  origin: 'base' | 'app' | 'unknown';
  /** 1 for advisory matches; lower for heuristic ones (CPE, a Maven artifact of unknown group). */
  confidence: number;
  summary?: string;
  published?: string;
  urgency?: string;
  endOfLife?: boolean;
  evidence: Evidence[];
  /** Set when a VEX statement, ignore rule or the package's own changelog suppresses it. */
  suppressed?: { by: 'vex' | 'ignore-rule' | 'changelog'; reason: string };
}

/** Where the matcher reads vulnerability data from (the store implements it). */
export interface AdvisorySource {
  advisoriesFor(keys: readonly { namespace: string; packageName: string }[]): Promise<MatchedAdvisory[]>;
  enrichment(
    cves: readonly string[],
  ): Promise<
    Map<
      string,
      { cvss: CvssRecord[]; kev?: KevRecord; epss?: { cve: string; epss: number; percentile: number } }
    >
  >;
  /** NVD CPE configurations by product name; needed only for the opt-in CPE matcher. */
  cpeConfigsFor?(products: readonly string[]): Promise<CpeConfigRecord[]>;
}
