/**
 * Evaluates an account's policy bundle against a stored analysis (SBOM, findings, retrieved
 * files, image config) and records the result: what `GET /images/{d}/check` does on demand and
 * the analyze job does once per tag after analysing. The image is never pulled again.
 */
import type { Finding } from '../core/matching/types.js';
import { buildPolicyInput } from '../core/pipeline/policy-input.js';
import {
  decisionToJson,
  evaluatePolicy,
  validateBundle,
  type FeedStatus,
  type PolicyDecision,
  type ValidatedBundle,
} from '../core/policy/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import { compareByPackageType } from '../core/versioning/by-package-type.js';
import { PortcullisError } from '../core/errors.js';
import type { ImageConfigFile } from '../core/image/types.js';
import type { AnalysisRecord } from './repositories/analyses.js';
import type { EvaluationRecord } from './repositories/evaluations.js';
import type { ServiceStore } from './repositories/index.js';
import type { PolicyRecord } from './repositories/policies.js';
import { policyFeeds } from './policy-feeds.js';
import type { Sql } from './sql.js';
import { CHECK_HEADER } from './check-header.js';
import {
  compactDocument,
  expandEvaluation,
  type CompactEvaluation,
} from './repositories/evaluation-layout.js';

/** The parts of the stored analysis metadata the policy input needs (written by the worker). */
interface StoredMetadata {
  config?: ImageConfigFile;
  /** Retrieved files, base64 by path. */
  retrieved?: Record<string, string>;
}

export interface EvaluateAnalysisRequest {
  accountName: string;
  imageDigest: string;
  /** The full tag (registry/repo:tag) the image is evaluated as. */
  tag: string;
  policy: PolicyRecord;
  feeds?: readonly FeedStatus[];
  now?: Date;
}

/**
 * Validated bundles by the stored bundle document: the re-match evaluates thousands of tags
 * with one record per account, and validating took a third of each evaluation. Records are
 * read anew per request or chunk, so an updated bundle is a new document and compiled again.
 */
const compiledBundles = new WeakMap<object, ValidatedBundle>();

export function compiledBundle(policy: PolicyRecord): ValidatedBundle {
  const document = policy.bundle;
  const known = typeof document === 'object' && document !== null ? compiledBundles.get(document) : undefined;
  if (known) return known;
  const bundle = compile(policy);
  if (typeof document === 'object' && document !== null) compiledBundles.set(document, bundle);
  return bundle;
}

function compile(policy: PolicyRecord): ValidatedBundle {
  const result = validateBundle(policy.bundle);
  if (!result.ok)
    throw new PortcullisError(
      'POLICY_INVALID',
      `stored policy bundle ${policy.policyId} no longer validates: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  return result.bundle;
}

interface AnchoreContext {
  imageId: string;
  tag: string;
  accountName: string;
  now: Date;
}

const whitelistName = (bundle: ValidatedBundle, id: string) =>
  bundle.whitelists.find((w) => w.id === id)?.name ?? id;

/** The positional rows of a decision: its triggers, then its fail-closed reasons. */
function anchoreRows(
  decision: PolicyDecision,
  bundle: ValidatedBundle,
  context: AnchoreContext,
): unknown[][] {
  const rows: unknown[][] = decision.triggers.map((t) => [
    context.imageId,
    context.tag,
    t.triggerId,
    t.gate,
    t.trigger,
    t.message,
    t.effectiveAction.toLowerCase(),
    t.whitelisted
      ? {
          whitelist_name: whitelistName(bundle, t.whitelisted.whitelistId),
          whitelist_id: t.whitelisted.whitelistId,
          matched_rule_id: t.whitelisted.itemId,
        }
      : false,
    t.policyId,
  ]);
  // Fail-closed reasons stop the image whatever the bundle says; they show as rows too.
  for (const reason of decision.failClosed)
    rows.push([
      context.imageId,
      context.tag,
      reason.code,
      reason.code === 'PACKAGE_DB_UNREADABLE' ? 'packages' : 'vulnerabilities',
      reason.code === 'PACKAGE_DB_UNREADABLE' ? 'unreadable_database' : 'vulnerability_data_unavailable',
      reason.message,
      'stop',
      false,
      bundle.id,
    ]);
  return rows;
}

/** Anchore's evaluation document around `table`, the per-image result table. */
function anchoreDocument(
  decision: PolicyDecision,
  bundle: ValidatedBundle,
  context: AnchoreContext,
  table: Record<string, unknown>,
): Record<string, unknown> {
  return {
    image_id: context.imageId,
    tag: context.tag,
    user_id: context.accountName,
    final_action: decision.finalAction.toLowerCase(),
    final_action_reason: decision.failClosed.length > 0 ? 'policy_evaluation' : decision.reason,
    created_at: Math.floor(context.now.getTime() / 1000),
    matched_mapping_rule: decision.mapping ? { id: decision.mapping.id, name: decision.mapping.name } : false,
    matched_whitelisted_images_rule: decision.matchedWhitelistedImage ?? false,
    matched_blacklisted_images_rule: decision.matchedBlacklistedImage ?? false,
    result: {
      [context.imageId]: { result: table },
      policy_data: [],
      whitelist_data: [],
      policy_name: bundle.name ?? '',
      whitelist_names: decision.whitelistIds.map((id) => whitelistName(bundle, id)),
    },
    /** Portcullis' own rendering of the decision, with evidence and rule errors. */
    decision: decisionToJson(decision),
  };
}

/** Anchore's evaluation document: positional rows under the image id, lower-case actions. */
export function anchoreResult(
  decision: PolicyDecision,
  bundle: ValidatedBundle,
  context: AnchoreContext,
): Record<string, unknown> {
  const rows = anchoreRows(decision, bundle, context);
  return anchoreDocument(decision, bundle, context, {
    header: [...CHECK_HEADER],
    row_count: rows.length,
    final_action: decision.finalAction.toLowerCase(),
    rows,
  });
}

export type ComputedEvaluation = Omit<EvaluationRecord, 'createdAt'>;

/** Evaluates and stores; undefined when the digest has no stored analysis. */
export async function evaluateAnalysis(
  store: ServiceStore,
  request: EvaluateAnalysisRequest,
  db?: Sql,
): Promise<EvaluationRecord | undefined> {
  const computed = await computeEvaluation(store, request);
  return computed && store.evaluations.add(computed, db);
}

/** A policy decision on a stored analysis, with what it was made from (for reports). */
export interface StoredDecision {
  decision: PolicyDecision;
  bundle: ValidatedBundle;
  imageId: string;
  document: SbomDocument;
  findings: Finding[];
  now: Date;
}

/** The bundle's decision on the stored analysis; undefined without an analysis. */
export async function decideStoredAnalysis(
  store: ServiceStore,
  request: EvaluateAnalysisRequest,
): Promise<StoredDecision | undefined> {
  const analysis = await store.analyses.get(request.imageDigest);
  return analysis && decideAnalysis(store.db, analysis, request);
}

/** The bundle's decision on an analysis already read (the re-match reads many at once). */
export async function decideAnalysis(
  db: Sql,
  analysis: Pick<AnalysisRecord, 'imageId' | 'metadata' | 'sbom' | 'findings'>,
  request: EvaluateAnalysisRequest,
  feedsOf: (document: SbomDocument) => Promise<FeedStatus[]> = (d) => policyFeeds(db, d, request.feeds),
): Promise<StoredDecision> {
  const metadata = analysis.metadata as StoredMetadata;
  const now = request.now ?? new Date();
  const bundle = compiledBundle(request.policy);
  const retrieved = new Map(
    Object.entries(metadata.retrieved ?? {}).map(
      ([path, b64]) => [path, Buffer.from(b64, 'base64')] as const,
    ),
  );
  const document = analysis.sbom as SbomDocument;
  const findings = analysis.findings as Finding[];
  const input = buildPolicyInput({
    document,
    retrieved,
    ...(metadata.config ? { config: metadata.config } : {}),
    findings,
    feeds: await feedsOf(document),
    tags: [request.tag],
    now,
  });
  const decision = evaluatePolicy(bundle, input, {
    tag: request.tag,
    services: { compareVersions: compareByPackageType },
  });
  return { decision, bundle, imageId: analysis.imageId, document, findings, now };
}

/** The evaluation of the stored analysis, not yet stored; undefined without an analysis. */
export async function computeEvaluation(
  store: ServiceStore,
  request: EvaluateAnalysisRequest,
): Promise<ComputedEvaluation | undefined> {
  const decided = await decideStoredAnalysis(store, request);
  return decided && evaluationOf(decided, request);
}

const contextOf = (decided: StoredDecision, request: EvaluateAnalysisRequest): AnchoreContext => ({
  imageId: decided.imageId,
  tag: request.tag,
  accountName: request.accountName,
  now: decided.now,
});

/** The evaluation record of a decision, not yet stored, without its result document. */
const verdictOf = (decided: StoredDecision, request: EvaluateAnalysisRequest) => ({
  accountName: request.accountName,
  imageDigest: request.imageDigest,
  tag: request.tag,
  policyId: request.policy.policyId,
  status: decided.decision.status,
  finalAction: decided.decision.finalAction.toLowerCase(),
});

/** The evaluation record of a decision, not yet stored. */
export function evaluationOf(decided: StoredDecision, request: EvaluateAnalysisRequest): ComputedEvaluation {
  const { decision, bundle } = decided;
  const result = anchoreResult(decision, bundle, contextOf(decided, request));
  return { ...verdictOf(decided, request), result: { policy: request.policy.bundle, result } };
}

/**
 * `evaluationOf` with its result in the compact form it is stored in (layout 2), made without
 * the positional rows: the same as `compactEvaluation` of `evaluationOf`'s result, which
 * renders the rows, renders them again from the decision and compares (the re-match stores
 * thousands, ADR 0043). The record's `result` is the full document, rendered when read.
 */
export function compactEvaluationOf(
  decided: StoredDecision,
  request: EvaluateAnalysisRequest,
): { evaluation: ComputedEvaluation; compact: CompactEvaluation } {
  const { decision, bundle } = decided;
  const names: Record<string, string> = {};
  for (const t of decision.triggers)
    if (t.whitelisted) names[t.whitelisted.whitelistId] = whitelistName(bundle, t.whitelisted.whitelistId);
  const table = {
    row_count: decision.triggers.length + decision.failClosed.length,
    final_action: decision.finalAction.toLowerCase(),
  };
  const anchore = anchoreDocument(decision, bundle, contextOf(decided, request), {});
  const compact = compactDocument(request.policy.bundle, anchore, table, names);
  let result: unknown;
  const evaluation = {
    ...verdictOf(decided, request),
    get result() {
      return (result ??= expandEvaluation(compact.stored, compact.policy, true));
    },
  };
  return { evaluation, compact };
}

/** After an analysis: each account's active bundle against each of its tags of the image. */
export async function evaluateForAccounts(
  store: ServiceStore,
  accounts: readonly string[],
  imageDigest: string,
): Promise<number> {
  let stored = 0;
  for (const accountName of accounts) {
    const policy = await store.policies.active(accountName);
    const image = await store.images.get(accountName, imageDigest);
    if (!policy || !image) continue;
    for (const t of image.tags) {
      const tag = `${t.registry}/${t.repo}:${t.tag}`;
      if (await evaluateAnalysis(store, { accountName, imageDigest, tag, policy })) stored += 1;
    }
  }
  return stored;
}
