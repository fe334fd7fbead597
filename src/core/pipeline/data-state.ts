/**
 * Whether the vulnerability database can back a verdict: present, and fresh enough. A gate
 * that passes because its data is missing is the worst failure a gate can have, so no data is
 * an error unless the caller opted out, and stale data is reported on every report.
 */
import { PortcullisError } from '../errors.js';
import { distroDataGap, type DistroDataGap } from '../matching/distro-coverage.js';
import { distroNamespace } from '../matching/distro-namespaces.js';
import type { SbomDocument } from '../sbom/document.js';
import { isDistroType } from '../sbom/package-types.js';
import type { FeedSummary, VulnerabilityData } from './ports.js';

/** Data older than this is stale unless the caller says otherwise. */
export const DEFAULT_MAX_DATA_AGE_HOURS = 48;

export interface DataRequirements {
  /**
   * Go on (and say so) when the database holds no advisories, or none for the image's distro,
   * instead of failing (a gate then judges by the findings alone).
   */
  allowNoData?: boolean;
  /** Age in hours past which the data is reported stale (default DEFAULT_MAX_DATA_AGE_HOURS). */
  maxAgeHours?: number;
}

/** The shape the policy input reads (`PolicyInput.vulnerabilityData`) and reports show. */
export interface VulnerabilityDataState {
  available: boolean;
  /** The last sync of the least recently synced feed, ISO 8601. */
  oldestSyncAt?: string;
  staleAfterHours: number;
  /** The image's OS packages have no data to be checked against (set after the analysis). */
  distroGap?: DistroDataGap;
}

export function dataState(
  feeds: readonly FeedSummary[],
  requirements: DataRequirements,
): VulnerabilityDataState {
  const populated = feeds.filter((f) => f.records > 0);
  const oldest = populated.map((f) => f.lastSync).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  return {
    available: populated.length > 0,
    ...(oldest ? { oldestSyncAt: oldest } : {}),
    staleAfterHours: requirements.maxAgeHours ?? DEFAULT_MAX_DATA_AGE_HOURS,
  };
}

/** True when the oldest feed is older than the allowed age at `now`. */
export function isStale(state: VulnerabilityDataState, now: Date): boolean {
  if (!state.oldestSyncAt) return false;
  return now.getTime() - Date.parse(state.oldestSyncAt) > state.staleAfterHours * 3_600_000;
}

/** Throws NO_VULNERABILITY_DATA unless there is data or the caller opted out. */
export function requireData(state: VulnerabilityDataState, requirements: DataRequirements): void {
  if (state.available || requirements.allowNoData) return;
  throw new PortcullisError(
    'NO_VULNERABILITY_DATA',
    'the vulnerability database is empty: run `portcullis db update` first (or pass --allow-no-vuln-data to go on without vulnerability data)',
  );
}

export function validateMaxAge(hours: number): number {
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `the maximum data age must be a positive number of hours, got ${hours}`,
    );
  }
  return hours;
}

/**
 * What OS data the image lacks, if any. The common case (the namespace holds advisories) costs
 * one index probe; the per-feed coverage is read only to say precisely what is missing.
 */
export async function findDistroDataGap(
  document: Pick<SbomDocument, 'distro' | 'packages'>,
  data: Pick<VulnerabilityData, 'holdsNamespace' | 'coverage'>,
  feeds: readonly FeedSummary[],
): Promise<DistroDataGap | undefined> {
  if (!document.packages.some((p) => isDistroType(p.type))) return undefined;
  const namespace = document.distro ? distroNamespace(document.distro) : undefined;
  if (namespace !== undefined && (await data.holdsNamespace(namespace))) return undefined;
  const coverage = await data.coverage();
  return distroDataGap(
    document.distro,
    document.packages,
    feeds.map((f) => ({ name: f.source, namespaces: coverage.get(f.source) ?? [], records: f.records })),
  );
}
