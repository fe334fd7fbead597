/**
 * What the evaluations after a re-match are made from (issue 13, ADR 0030). The re-match read
 * most analyses in part (repositories/analyses-lean.ts): a bundle whose rules read no more than
 * that (`readsLeanInputOnly`: the default bundle's `vulnerabilities` rules read findings, feeds,
 * the distro and the packages' kinds) is evaluated from it; for any other bundle the analyses
 * are read whole, once per chunk, and only then. Either way the decision is the full one
 * (evaluation-input.test.ts holds every built-in and published bundle to that).
 */
import { readsLeanInputOnly } from '../core/policy/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import type { Package } from '../core/sbom/model.js';
import { compiledBundle, type EvaluateAnalysisRequest } from './evaluate-analysis.js';
import type { AnalysisRecord } from './repositories/analyses.js';
import { getAnalyses } from './repositories/analyses-bulk.js';
import type { PackageKind, RematchRecord } from './repositories/analyses-lean.js';
import type { Sql } from './sql.js';

/** What `decideAnalysis` evaluates. */
export type EvaluationSource = Pick<AnalysisRecord, 'imageId' | 'metadata' | 'sbom' | 'findings'>;

/** An analysis as the re-match holds it: read whole, or in part (`partial`). */
export type ReadAnalysis = AnalysisRecord & Pick<RematchRecord, 'partial'>;

/**
 * One package per counted kind: its type and whether it is owned, nothing else (the owner
 * stands in for the one not read: a lean rule reads only that there is one).
 */
function packagesOfKinds(kinds: readonly PackageKind[]): Package[] {
  // A plain loop: `Array.from({ length })` took ~80 µs an image, 0.5 s of a 10,000-image re-match.
  const out: Package[] = [];
  for (const { type, owned, count } of kinds) {
    const kind = {
      type,
      ...(owned ? { ownedBy: { type, name: '(not read)', version: '' } } : {}),
    } as Package;
    for (let i = 0; i < count; i++) out.push(kind);
  }
  return out;
}

/**
 * A partly read analysis as a bundle reading only lean parts sees it: the SBOM's identity,
 * distro and unknowns, its packages' kinds, and the findings; no file, secret, config or
 * retrieved file (such a bundle's rules read none).
 */
export function leanEvaluationSource(
  analysis: Pick<AnalysisRecord, 'imageId' | 'sbom' | 'findings'>,
  kinds: readonly PackageKind[],
): EvaluationSource {
  const read = analysis.sbom as Pick<SbomDocument, 'source' | 'distro' | 'unknowns'>;
  const document: SbomDocument = {
    schemaVersion: '',
    descriptor: { name: 'portcullis', version: '' },
    createdAt: '',
    source: read.source,
    ...(read.distro ? { distro: read.distro } : {}),
    packages: packagesOfKinds(kinds),
    relationships: [],
    files: [],
    secrets: [],
    unknowns: read.unknowns,
  };
  return { imageId: analysis.imageId, metadata: {}, sbom: document, findings: analysis.findings };
}

/**
 * The source each request is evaluated from: the analysis as read when it was read whole or
 * the bundle reads lean parts only, else the analysis read whole now (one query for all such
 * requests) with the findings given.
 */
export async function evaluationSources(
  db: Sql,
  requests: readonly EvaluateAnalysisRequest[],
  analyses: ReadonlyMap<string, ReadAnalysis>,
): Promise<(request: EvaluateAnalysisRequest) => EvaluationSource> {
  const lean = (r: EvaluateAnalysisRequest) => readsLeanInputOnly(compiledBundle(r.policy));
  const partial = (r: EvaluateAnalysisRequest) => analyses.get(r.imageDigest)?.partial !== undefined;
  const wanted = [...new Set(requests.filter((r) => partial(r) && !lean(r)).map((r) => r.imageDigest))];
  const whole = new Map((await getAnalyses(db, wanted)).map((a) => [a.imageDigest, a] as const));
  return (request) => {
    const analysis = analyses.get(request.imageDigest);
    if (!analysis) throw new Error(`no analysis of ${request.imageDigest} was read`);
    if (!analysis.partial) return analysis;
    if (lean(request)) return leanEvaluationSource(analysis, analysis.partial.packageKinds);
    const full = whole.get(request.imageDigest);
    if (!full) throw new Error(`the analysis of ${request.imageDigest} is gone`);
    return { ...full, findings: analysis.findings };
  };
}
