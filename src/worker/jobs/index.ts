/** Every job kind the worker runs, in one explicit list (no registration by import side effect). */
import type { JobDefinition } from '../types.js';
import { analyzeImageJob, type AnalyzeImageDeps } from './analyze-image.js';
import { deliverNotificationJob, type DeliverNotificationDeps } from './deliver-notification.js';
import { promoteJob, type PromoteDeps } from './promote.js';
import { syncFeedsJob, type SyncFeedsDeps } from './sync-feeds.js';

export type WorkerDeps = AnalyzeImageDeps &
  DeliverNotificationDeps &
  Partial<SyncFeedsDeps> &
  Partial<Pick<PromoteDeps, 'registryWriter'>>;

export function workerJobs(deps: WorkerDeps): JobDefinition[] {
  return [
    analyzeImageJob(deps),
    deliverNotificationJob(deps),
    ...(deps.syncFeeds ? [syncFeedsJob({ syncFeeds: deps.syncFeeds })] : []),
    ...(deps.registryWriter ? [promoteJob({ ...deps, registryWriter: deps.registryWriter })] : []),
  ];
}
