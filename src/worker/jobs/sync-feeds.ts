/**
 * sync-feeds: refreshes the vulnerability feeds and re-matches the stored analyses the changes
 * touch (see src/main/sync-feeds.ts). A singleton: one sync at a time across every worker. The
 * schedule (`feedSyncSchedule`) enqueues it when the newest sync is older than the interval, so
 * several worker processes on one database do not sync once each.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { JOB_KINDS, SYNC_FEEDS_SINGLETON_KEY } from '../../queue/kinds.js';
import type { JobQueue } from '../../queue/queue.js';
import { defineJob, type JobDefinition } from '../types.js';

export const SYNC_FEEDS = JOB_KINDS.syncFeeds;

export interface FeedSyncSummary {
  feeds: { driver: string; status: 'updated' | 'unchanged' | 'failed'; records?: number; error?: string }[];
  /** Distinct (namespace, package) keys whose advisories changed. */
  changedKeys: number;
  rematched: number;
  untouched: number;
  /** Re-matched analyses whose finding set changed (their subscribers were notified). */
  changed: number;
}

export type SyncFeeds = (request: { signal: AbortSignal }) => Promise<FeedSyncSummary>;

export interface SyncFeedsDeps {
  syncFeeds: SyncFeeds;
}

export function syncFeedsJob(deps: SyncFeedsDeps): JobDefinition {
  return defineJob<Record<string, never> | null>({
    kind: SYNC_FEEDS,
    payload: z.object({}).strict().nullable(),
    maxAttempts: 3,
    async run(_payload, ctx) {
      const summary = await deps.syncFeeds({ signal: ctx.signal });
      const failed = summary.feeds.filter((f) => f.status === 'failed');
      for (const f of failed) ctx.log.warn({ feed: f.driver, error: f.error }, 'feed sync failed');
      ctx.log.info(
        {
          updated: summary.feeds.filter((f) => f.status === 'updated').map((f) => f.driver),
          failed: failed.map((f) => f.driver),
          changedKeys: summary.changedKeys,
          rematched: summary.rematched,
          changed: summary.changed,
        },
        'feeds synced',
      );
    },
  });
}

/** Queues a sync now (POST /v1/system/feeds, first start); joins one already queued or running. */
export function enqueueFeedSync(queue: JobQueue): Promise<{ id: string; created: boolean }> {
  return queue.enqueue({ kind: SYNC_FEEDS, payload: {}, singletonKey: SYNC_FEEDS_SINGLETON_KEY });
}

/**
 * Checks every `min(interval/4, 5 min)` whether the newest feed sync is older than the interval
 * and queues one if so. Returns the function that stops the schedule.
 */
export function feedSyncSchedule(
  queue: JobQueue,
  newestSync: () => Promise<Date | undefined>,
  intervalMs: number,
  log: Logger,
): () => void {
  if (intervalMs <= 0) return () => undefined;
  const tick = async () => {
    try {
      const newest = await newestSync();
      if (!newest || Date.now() - newest.getTime() >= intervalMs) await enqueueFeedSync(queue);
    } catch (err) {
      log.warn({ err }, 'could not check the feed sync schedule');
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), Math.min(intervalMs / 4, 300_000));
  timer.unref();
  return () => clearInterval(timer);
}
