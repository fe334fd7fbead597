/** Every job kind the worker runs, in one explicit list (no registration by import side effect). */
import type { JobDefinition } from '../types.js';
import { analyzeImageJob, type AnalyzeImageDeps } from './analyze-image.js';
import { archiveRulesJob } from './archive-rules.js';
import { deliverNotificationJob, type DeliverNotificationDeps } from './deliver-notification.js';
import { promoteJob, type PromoteDeps } from './promote.js';
import { reevaluateAccountJob } from './reevaluate-account.js';
import { registryPushJob } from './registry-push.js';
import { watchRegistryJob, type WatchOptions } from './watch-registry.js';
import type { RegistryReader } from '../registry-poll.js';
import type { ResolveTag } from '../tag-watch.js';
import { syncFeedsJob, type SyncFeedsDeps } from './sync-feeds.js';

export type WorkerDeps = AnalyzeImageDeps &
  DeliverNotificationDeps &
  Partial<SyncFeedsDeps> &
  Partial<Pick<PromoteDeps, 'registryWriter'>> & {
    /** Reads what a tag names now: enables the tag watchers and the registry push consumers. */
    resolveTag?: ResolveTag;
    /** Tag lists and tag digests for the watchers' polls (with resolveTag). */
    registryReader?: RegistryReader;
    watch?: Partial<WatchOptions>;
  };

export function workerJobs(deps: WorkerDeps): JobDefinition[] {
  return [
    analyzeImageJob(deps),
    deliverNotificationJob(deps),
    reevaluateAccountJob(deps),
    archiveRulesJob(deps),
    ...(deps.syncFeeds ? [syncFeedsJob({ syncFeeds: deps.syncFeeds })] : []),
    ...(deps.registryWriter ? [promoteJob({ ...deps, registryWriter: deps.registryWriter })] : []),
    ...(deps.resolveTag
      ? [
          registryPushJob({
            store: deps.store,
            resolveTag: deps.resolveTag,
            ...(deps.notifier ? { notifier: deps.notifier } : {}),
          }),
        ]
      : []),
    ...(deps.resolveTag && deps.registryReader
      ? [
          watchRegistryJob({
            store: deps.store,
            resolveTag: deps.resolveTag,
            reader: deps.registryReader,
            ...(deps.notifier ? { notifier: deps.notifier } : {}),
            ...(deps.watch ? { watch: deps.watch } : {}),
          }),
        ]
      : []),
  ];
}
