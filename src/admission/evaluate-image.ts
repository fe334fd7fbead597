/**
 * One image under the mode of the rule that selected it: resolve the tag to a digest, read the
 * stored verdict, request analysis when there is none. Never throws: every failure becomes a
 * reason on a failing image, and the request-level decision applies the rule's action.
 */
import { describeError } from '../core/errors.js';
import type { VerdictCache } from './cached-ports.js';
import { formatVerdictReason } from './messages.js';
import type { ImageUse } from './parse.js';
import type {
  AdmissionMode,
  AnalysisRequester,
  DigestResolver,
  PortContext,
  StoredVerdict,
} from './ports.js';

export const RETRY_SHORTLY = 'analysis requested, retry shortly';

export interface ImageEvaluation {
  use: ImageUse;
  mode: AdmissionMode;
  digest: string | undefined;
  outcome: 'ok' | 'fail';
  /** Full reasons (audit, denial message). */
  reasons: string[];
  /** A few words for a warning line. */
  summary: string;
  stale: boolean;
}

export interface ImageDeps {
  digests: DigestResolver;
  verdicts: VerdictCache;
  analysis: AnalysisRequester;
}

export interface ImageRequestContext {
  port: PortContext;
  dryRun: boolean;
  nowMs: number;
}

type Partial_ = Omit<ImageEvaluation, 'use' | 'mode'>;

function fail(digest: string | undefined, summary: string, reasons: string[], stale = false): Partial_ {
  return { digest, outcome: 'fail', summary, reasons, stale };
}

async function requestAnalysis(
  use: ImageUse,
  digest: string | undefined,
  deps: ImageDeps,
  ctx: ImageRequestContext,
) {
  // Dry-run requests must have no side effects beyond the audit row.
  if (ctx.dryRun || use.normalized === undefined) return undefined;
  try {
    await deps.analysis.request({ reference: use.normalized, digest, requestedBy: 'admission' }, ctx.port);
    return undefined;
  } catch (err) {
    return `analysis could not be requested: ${describeError(err)}`;
  }
}

function judge(mode: AdmissionMode, digest: string, verdict: StoredVerdict, stale: boolean): Partial_ {
  if (verdict.analysisStatus === 'failed')
    return fail(digest, 'analysis failed', ['analysis of this image failed'], stale);
  if (verdict.analysisStatus !== 'analyzed') {
    return fail(
      digest,
      'analysis in progress',
      [`analysis in progress (${verdict.analysisStatus}), retry shortly`],
      stale,
    );
  }
  if (mode === 'analysis') return { digest, outcome: 'ok', summary: 'analysed', reasons: [], stale };
  const policy = verdict.policy;
  if (!policy)
    return fail(
      digest,
      'not evaluated yet',
      ['analysed but not yet evaluated against the policy bundle, retry shortly'],
      stale,
    );
  if (policy.status === 'pass')
    return { digest, outcome: 'ok', summary: 'passes policy', reasons: [], stale };
  const stops = policy.reasons.filter((r) => r.action === 'STOP');
  const shown = (stops.length > 0 ? stops : policy.reasons).map(formatVerdictReason);
  const reasons = [`fails policy bundle "${policy.bundleId}"`, ...shown];
  return fail(digest, `fails policy (${stops.length} stop)`, reasons, stale);
}

async function evaluate(
  use: ImageUse,
  mode: AdmissionMode,
  bundleId: string | undefined,
  deps: ImageDeps,
  ctx: ImageRequestContext,
): Promise<Partial_> {
  if (use.reference === undefined)
    return fail(undefined, 'invalid reference', [`invalid image reference: ${use.error ?? 'unparsable'}`]);
  let digest: string;
  try {
    digest = await deps.digests.resolve(use.reference, ctx.port);
  } catch (err) {
    return fail(undefined, 'tag not resolvable', [
      `cannot resolve the tag to a digest: ${describeError(err)}`,
    ]);
  }
  let answer;
  try {
    answer = await deps.verdicts.lookup(digest, bundleId, ctx.port, ctx.nowMs);
  } catch (err) {
    return fail(digest, 'verdict store unavailable', [
      `verdict store unavailable and no cached verdict: ${describeError(err)}`,
    ]);
  }
  const verdict = answer.verdict;
  if (verdict === undefined || verdict.analysisStatus === 'not_analyzed') {
    const problem = await requestAnalysis(use, digest, deps, ctx);
    const reason =
      problem ??
      (ctx.dryRun ? 'not analysed (dry run: no analysis requested)' : `not analysed: ${RETRY_SHORTLY}`);
    return fail(digest, 'not analysed', [reason], answer.stale);
  }
  return judge(mode, digest, verdict, answer.stale);
}

/** An image that could not be judged: `summary` for the warning line, `detail` for the audit. */
export function failedImage(
  use: ImageUse,
  mode: AdmissionMode,
  summary: string,
  detail: string,
): ImageEvaluation {
  return {
    use,
    mode,
    digest: undefined,
    outcome: 'fail',
    summary,
    reasons: [`${summary}: ${detail}`],
    stale: false,
  };
}

export async function evaluateImage(
  use: ImageUse,
  mode: AdmissionMode,
  bundleId: string | undefined,
  deps: ImageDeps,
  ctx: ImageRequestContext,
): Promise<ImageEvaluation> {
  return { use, mode, ...(await evaluate(use, mode, bundleId, deps, ctx)) };
}
