/** Every job kind the worker runs, in one explicit list (no registration by import side effect). */
import type { JobDefinition } from '../types.js';
import { analyzeImageJob, type AnalyzeImageDeps } from './analyze-image.js';
import { deliverNotificationJob, type DeliverNotificationDeps } from './deliver-notification.js';
import { reevaluateAccountJob } from './reevaluate-account.js';
import { syncFeedsJob, type SyncFeedsDeps } from './sync-feeds.js';

export type WorkerDeps = AnalyzeImageDeps & DeliverNotificationDeps & Partial<SyncFeedsDeps>;

export function workerJobs(deps: WorkerDeps): JobDefinition[] {
  return [
    analyzeImageJob(deps),
    deliverNotificationJob(deps),
    reevaluateAccountJob(deps),
    ...(deps.syncFeeds ? [syncFeedsJob({ syncFeeds: deps.syncFeeds })] : []),
  ];
}
