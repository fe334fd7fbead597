/**
 * `findingsChanged` for a chunk of re-matched images at once (issue 13): the same
 * notifications, events and evaluations, read and written in a few statements per chunk. The
 * analyses are the ones the re-match already read (with their new findings), so the policy is
 * evaluated without reading them again (when read in part, only a bundle that needs more
 * reads them whole: ADR 0030). Per image and account the order is the one-by-one
 * order: `vuln_update` per tag, its events, then the evaluation of each tag (`policy_eval` and
 * its event where the verdict flipped). A tag whose last evaluation stands (its bundle reads no
 * findings or feeds, ADR 0027) is neither evaluated nor stored again.
 */
import { hostname } from 'node:os';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Finding } from '../core/matching/types.js';
import {
  compactEvaluationOf,
  decideAnalysis,
  type ComputedEvaluation,
  type EvaluateAnalysisRequest,
} from '../store/evaluate-analysis.js';
import { evaluationSources, type ReadAnalysis } from '../store/evaluation-input.js';
import { memoPolicyFeeds } from '../store/policy-feeds.js';
import { holdersOf } from '../store/repositories/analyses-bulk.js';
import type { EventInput } from '../store/repositories/events.js';
import {
  addEvaluations,
  latestVerdicts,
  verdictKey,
  type EvaluationVerdict,
} from '../store/repositories/evaluations-bulk.js';
import { PolicyRepository, type PolicyRecord } from '../store/repositories/policies.js';
import type { CompactResult } from '../store/repositories/policy-documents.js';
import type { Sql } from '../store/sql.js';
import { diffFindings, isEmptyDiff, type FindingsDiff } from './diff.js';
import type { WantedNotification } from './notify-many.js';
import { lastEvaluationStands, state, type ReevaluateDeps } from './reevaluate.js';

export interface FindingsChange {
  /** The analysis as stored now (its findings are `after`), as the re-match read it (ADR 0030). */
  analysis: ReadAnalysis;
  before: readonly Finding[];
  after: readonly Finding[];
}

/**
 * What a chunk's notifications and evaluations are made from, read and computed before it is
 * written: on a server, while the findings of the chunk are being written (ADR 0034).
 */
export interface ChangePlan {
  /** The changes whose finding sets differ, with their diffs. */
  diffs: (FindingsChange & { diff: FindingsDiff })[];
  holders: Awaited<ReturnType<typeof holdersOf>>;
  last: Map<string, EvaluationVerdict>;
  computed: ComputedEvaluation[];
  /** Each computed evaluation's compact form, made here rather than in the write (ADR 0036). */
  compact: CompactResult[];
  /** The JSON text each computed evaluation's row stores, rendered here too (ADR 0042). */
  texts: string[];
}

/** Reads through `db` what the notifications and evaluations of the changes need, and evaluates. */
export async function planFindingsChanged(
  deps: ReevaluateDeps,
  changes: readonly FindingsChange[],
  db: Sql = deps.store.db,
): Promise<ChangePlan> {
  const diffs = changes
    .map((c) => ({ ...c, diff: diffFindings(c.before, c.after) }))
    .filter((c) => !isEmptyDiff(c.diff));
  if (diffs.length === 0)
    return { diffs, holders: [], last: new Map(), computed: [], compact: [], texts: [] };
  const holders = await holdersOf(
    db,
    diffs.map((c) => c.analysis.imageDigest),
  );
  // Re-evaluation: each analysed holder's tags with its account's active bundle.
  // Read through `db`: on the embedded store the caller's transaction holds the one connection.
  const policies = new Map<string, PolicyRecord | undefined>();
  const repository = new PolicyRepository(db);
  for (const account of new Set(holders.map((h) => h.accountName)))
    policies.set(account, await repository.active(account));
  const requests: EvaluateAnalysisRequest[] = [];
  for (const h of holders) {
    const policy = policies.get(h.accountName);
    if (!policy || h.analysisStatus !== 'analyzed') continue;
    for (const tag of h.tags)
      requests.push({ accountName: h.accountName, imageDigest: h.imageDigest, tag, policy });
  }
  const last = await latestVerdicts(db, requests);
  const computed: ComputedEvaluation[] = [];
  const compact: CompactResult[] = [];
  const texts: string[] = [];
  const feedsOf = memoPolicyFeeds(db);
  const due = requests.filter((r) => !lastEvaluationStands(r.policy, last.get(verdictKey(r))));
  const analyses = new Map(diffs.map((c) => [c.analysis.imageDigest, c.analysis] as const));
  const sourceOf = await evaluationSources(db, due, analyses);
  for (const [n, request] of due.entries()) {
    // Evaluated between turns of the event loop: on a server this runs beside the chunk's write.
    if (n % 16 === 15) await yieldToIo();
    const decided = await decideAnalysis(db, sourceOf(request), request, feedsOf);
    // Made compact without rendering the rows it drops (ADR 0043).
    const { evaluation, compact: c } = compactEvaluationOf(decided, request);
    computed.push(evaluation);
    compact.push(c);
    texts.push(JSON.stringify(c.stored));
  }
  return { diffs, holders, last, computed, compact, texts };
}

/**
 * Writes the plan's notifications, events and evaluations through `db` (the transaction that
 * wrote the findings), of the images in `written` only; returns their digests.
 */
export async function writeFindingsChanged(
  deps: ReevaluateDeps,
  plan: ChangePlan,
  written: ReadonlySet<string>,
  db: Sql = deps.store.db,
): Promise<string[]> {
  const source = deps.hostId ?? hostname();
  const kept = (digest: string) => written.has(digest);
  const diffs = plan.diffs.filter((c) => kept(c.analysis.imageDigest));
  if (diffs.length === 0) return [];
  const byDigest = new Map(diffs.map((c) => [c.analysis.imageDigest, c] as const));
  const holders = plan.holders.filter((h) => kept(h.imageDigest));
  const notifications: WantedNotification[] = [];
  const events: EventInput[] = [];
  for (const h of holders) {
    const { diff } = byDigest.get(h.imageDigest)!;
    for (const tag of h.tags)
      notifications.push({
        accountName: h.accountName,
        tag,
        payload: { type: 'vuln_update', imageDigest: h.imageDigest, diff },
      });
    for (const tag of h.tags)
      events.push({
        accountName: h.accountName,
        type: 'user.checks.tag.vulnerabilities.update',
        level: 'info',
        message: `Vulnerabilities of ${tag} changed: ${diff.added.length} added, ${diff.updated.length} updated, ${diff.removed.length} removed`,
        details: { added: diff.added.length, updated: diff.updated.length, removed: diff.removed.length },
        resourceType: 'image_tag',
        resourceId: tag,
        sourceService: 'policy_engine',
        sourceHost: source,
      });
  }
  await deps.notifier.notifyMany(notifications, db);
  await deps.notifier.recordEvents(events, db);
  const { last } = plan;
  const keep = plan.computed.map((e) => kept(e.imageDigest));
  const stored = await addEvaluations(
    db,
    plan.computed.filter((_, i) => keep[i]),
    plan.compact.filter((_, i) => keep[i]),
    plan.texts.filter((_, i) => keep[i]),
  );
  const flips: WantedNotification[] = [];
  const flipEvents: EventInput[] = [];
  for (const now of stored) {
    const before = last.get(verdictKey(now));
    // The first verdict of a tag is the analysis's own, not a change.
    if (!before || before.status === now.status) continue;
    flips.push({
      accountName: now.accountName,
      tag: now.tag,
      payload: { type: 'policy_eval', current: state(now), last: state(before) },
    });
    flipEvents.push({
      accountName: now.accountName,
      type: 'user.checks.tag.policy_evaluation.update',
      level: 'info',
      message: `Policy evaluation of ${now.tag} changed from ${before.status} to ${now.status}`,
      details: { last_status: before.status, current_status: now.status, policy_id: now.policyId },
      resourceType: 'image_tag',
      resourceId: now.tag,
      sourceService: 'policy_engine',
      sourceHost: source,
    });
  }
  await deps.notifier.notifyMany(flips, db);
  await deps.notifier.recordEvents(flipEvents, db);
  return diffs.map((c) => c.analysis.imageDigest);
}
