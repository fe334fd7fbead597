/**
 * apply-archive-rules: one pass of every account's archive rules (src/archive/apply-rules.ts),
 * each transition recorded in its rule's history. A singleton: one pass at a time across all
 * workers; the schedule queues one every `intervalMs` (Anchore's archive_tasks cycle is 12 h).
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { applyArchiveRules } from '../../archive/apply-rules.js';
import { JOB_KINDS } from '../../queue/kinds.js';
import type { JobQueue } from '../../queue/queue.js';
import type { ServiceStore } from '../../store/repositories/index.js';
import { defineJob, type JobDefinition } from '../types.js';

export const ARCHIVE_RULES_SINGLETON_KEY = 'archive-rules';
export const DEFAULT_ARCHIVE_RULES_INTERVAL_MS = 12 * 3600_000;

export function archiveRulesJob(deps: { store: ServiceStore; hostId?: string }): JobDefinition {
  const ctx = { store: deps.store, hostId: deps.hostId ?? hostname() };
  return defineJob<Record<string, never> | null>({
    kind: JOB_KINDS.applyArchiveRules,
    payload: z.object({}).strict().nullable(),
    maxAttempts: 1,
    async run(_payload, jobCtx) {
      const summary = await applyArchiveRules(ctx, { signal: jobCtx.signal });
      jobCtx.log.info(summary, 'archive rules applied');
    },
  });
}

/** Queues a pass now; joins one already queued or running. */
export function enqueueArchiveRules(queue: JobQueue): Promise<{ id: string; created: boolean }> {
  return queue.enqueue({
    kind: JOB_KINDS.applyArchiveRules,
    payload: {},
    singletonKey: ARCHIVE_RULES_SINGLETON_KEY,
    maxAttempts: 1,
  });
}

/** Queues a pass every `intervalMs` (0: never). Returns the function that stops the schedule. */
export function archiveRulesSchedule(queue: JobQueue, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  const timer = setInterval(() => void enqueueArchiveRules(queue).catch(() => undefined), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
