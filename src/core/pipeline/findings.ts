/**
 * The stage scan, evaluate and explain share: analyse → match → suppress. Suppression (VEX, the
 * ignore file, Debian changelog evidence) is applied here and nowhere else, so every use case
 * sees the same findings with the same suppressions.
 */
import { PortcullisError } from '../errors.js';
import { baseLayersFromHistory } from '../matching/base-layers.js';
import { matchSbom } from '../matching/match.js';
import type { Finding } from '../matching/types.js';
import type { SbomDocument } from '../sbom/document.js';
import {
  applySuppressions,
  CHANGELOG_GLOB,
  type IgnoreRules,
  type VexDocument,
} from '../suppression/index.js';
import { throwIfAborted } from '../abort.js';
import { analyze, type Analysis, type AnalyzeRequest } from './analyze.js';
import {
  dataState,
  findDistroDataGap,
  requireData,
  type DataRequirements,
  type VulnerabilityDataState,
} from './data-state.js';
import type { FeedSummary, VulnerabilityData } from './ports.js';

export interface SuppressionRequest {
  /** Parsed VEX documents, in the order given (statement order decides ties). */
  vex?: readonly VexDocument[];
  ignore?: IgnoreRules;
  /** Read dpkg packages' changelog.Debian for CVEs they already fix (default true). */
  changelog?: boolean;
}

export interface FindingsRequest extends AnalyzeRequest {
  data: VulnerabilityData;
  suppressions?: SuppressionRequest;
  /** The bottom n layers are the base image; undefined = read from the image history. */
  baseLayers?: number;
  /** Also match by NVD CPE configurations (low confidence). */
  cpe?: boolean;
  requirements?: DataRequirements;
  /** Decides ignore-rule expiry, data staleness and report time (default: now). */
  now?: Date;
  /**
   * Runs the analysis stage (default: `analyze` in this process). The service passes one that
   * runs `analyze` in a child process, so matching and suppression stay the same code.
   */
  analyzer?: (request: AnalyzeRequest) => Promise<Analysis>;
}

export interface FindingsResult {
  analysis: Analysis;
  feeds: readonly FeedSummary[];
  dataState: VulnerabilityDataState;
  baseLayerCount?: number;
  /** Every finding, suppressed ones included (they carry `suppressed`). */
  findings: Finding[];
  now: Date;
}

function checkBaseLayers(n: number, doc: SbomDocument): number {
  if (!Number.isInteger(n) || n < 0 || n > doc.source.layers.length) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--base-layers must be an integer from 0 to ${doc.source.layers.length} (the layers of ${doc.source.input}), got "${n}"`,
    );
  }
  return n;
}

/** Analyse, match and suppress: the findings every use case reports or judges. */
export async function findVulnerabilities(request: FindingsRequest): Promise<FindingsResult> {
  const now = request.now ?? new Date();
  const requirements = request.requirements ?? {};
  // The database is checked before the (slow) analysis so a missing `db update` fails fast.
  const feeds = await request.data.status();
  const state = dataState(feeds, requirements);
  requireData(state, requirements);
  const useChangelog = request.suppressions?.changelog !== false;
  const analysis = await (request.analyzer ?? analyze)({
    ...request,
    captureGlobs: [...(request.captureGlobs ?? []), ...(useChangelog ? [CHANGELOG_GLOB] : [])],
  });
  const { document } = analysis;
  const baseLayerCount =
    request.baseLayers !== undefined
      ? checkBaseLayers(request.baseLayers, document)
      : analysis.config
        ? baseLayersFromHistory(analysis.config.history)
        : undefined;
  // With no data at all the caller opted out already; else the image's distro must be covered.
  const gap = state.available ? await findDistroDataGap(document, request.data, feeds) : undefined;
  if (gap) request.observer?.warning?.(gap.message, { distro: gap.distro });
  request.observer?.stage?.('match', { source: document.source.input });
  const matched = await matchSbom(document, request.data, {
    ...(baseLayerCount === undefined ? {} : { baseLayerCount }),
    ...(request.cpe ? { cpe: true } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  throwIfAborted(request.signal, 'the scan');
  request.observer?.stage?.('suppress', { source: document.source.input });
  const suppressed = await applySuppressions(matched.findings, {
    vex: request.suppressions?.vex ?? [],
    ...(request.suppressions?.ignore ? { ignore: request.suppressions.ignore } : {}),
    ...(useChangelog && analysis.retrieved.size
      ? {
          changelog: {
            doc: document,
            read: (path: string) => Promise.resolve(analysis.retrieved.get(path)),
          },
        }
      : {}),
    now,
  });
  return {
    analysis,
    feeds,
    dataState: gap ? { ...state, distroGap: gap } : state,
    ...(baseLayerCount === undefined ? {} : { baseLayerCount }),
    findings: suppressed.findings,
    now,
  };
}
