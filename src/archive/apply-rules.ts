/**
 * One pass of the archive rules over every enabled account (the `apply-archive-rules` job):
 * decide what moves (rules.ts), move it (archive, delete from the archive, or delete from the
 * working set for a `delete` count rule) and record each outcome in the rule's history.
 */
import { removeFromWorkingSet } from '../store/repositories/archive-moves.js';
import { ArchiveRuleRepository } from '../store/repositories/archive-rules.js';
import { ArchivedImageRepository } from '../store/repositories/archives.js';
import { archiveImage, type ArchiveContext } from './images.js';
import { decideTransitions, type RuleCandidate, type RuleDecision } from './rules.js';

export interface RulesPassSummary {
  accounts: number;
  archived: number;
  deleted: number;
  failed: number;
}

export async function applyArchiveRules(
  ctx: ArchiveContext,
  options: { now?: Date; signal?: AbortSignal } = {},
): Promise<RulesPassSummary> {
  const now = options.now ?? new Date();
  const rules = new ArchiveRuleRepository(ctx.store.db);
  const archives = new ArchivedImageRepository(ctx.store.db);
  const summary: RulesPassSummary = { accounts: 0, archived: 0, deleted: 0, failed: 0 };
  for (const account of await ctx.store.accounts.list({ state: 'enabled' })) {
    options.signal?.throwIfAborted();
    const accountRules = await rules.list(account.name, true);
    if (accountRules.length === 0) continue;
    summary.accounts++;
    const working: RuleCandidate[] = (
      await ctx.store.images.list(account.name, { analysisStatus: 'analyzed' })
    ).map((i) => ({ imageDigest: i.imageDigest, analyzedAt: i.analyzedAt, tags: i.tags }));
    const archived: RuleCandidate[] = (await archives.list(account.name)).map((a) => ({
      imageDigest: a.imageDigest,
      analyzedAt: a.analyzedAt,
      tags: a.tags.map((t) => ({ ...t, tagDetectedAt: new Date(t.tagDetectedAt) })),
    }));
    for (const decision of decideTransitions(accountRules, working, archived, now)) {
      options.signal?.throwIfAborted();
      const outcome = await apply(ctx, archives, account.name, decision);
      if (outcome.status === 'archived') summary.archived++;
      else if (outcome.status === 'deleted') summary.deleted++;
      else summary.failed++;
      await rules.record({
        ruleId: decision.ruleId,
        accountName: account.name,
        imageDigest: decision.imageDigest,
        transition: decision.transition,
        status: outcome.status,
        detail: outcome.detail,
      });
    }
  }
  return summary;
}

async function apply(
  ctx: ArchiveContext,
  archives: ArchivedImageRepository,
  accountName: string,
  d: RuleDecision,
): Promise<{ status: string; detail: string | null }> {
  if (d.from === 'archive') {
    const gone = await archives.delete(accountName, d.imageDigest);
    return gone
      ? { status: 'deleted', detail: 'deleted from the archive' }
      : { status: 'error', detail: 'already gone' };
  }
  if (d.transition === 'archive') {
    const r = await archiveImage(ctx, accountName, d.imageDigest);
    return { status: r.status, detail: r.detail };
  }
  const { removed } = await ctx.store.db.transaction((tx) =>
    removeFromWorkingSet(tx, accountName, d.imageDigest),
  );
  return removed
    ? { status: 'deleted', detail: 'deleted from the working set' }
    : { status: 'error', detail: 'no longer analysed in the working set' };
}
