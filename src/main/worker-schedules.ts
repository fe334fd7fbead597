/**
 * What a worker process starts besides its job runner: the one-off indexing of analyses stored
 * before the search index existed, and the periodic jobs (feed sync, registry watch rounds,
 * archive rules). Returns the stop functions, to run first on shutdown.
 */
import type { Logger } from 'pino';
import type { JobQueue } from '../queue/queue.js';
import { indexMissing } from '../store/repositories/image-index.js';
import type { Sql } from '../store/sql.js';
import type { VulnerabilityStore } from '../store/vulnerability-store.js';
import { archiveRulesSchedule, DEFAULT_ARCHIVE_RULES_INTERVAL_MS } from '../worker/jobs/archive-rules.js';
import { feedSyncSchedule } from '../worker/jobs/sync-feeds.js';
import { watchSchedule } from '../worker/jobs/watch-registry.js';
import { newestSync } from './sync-feeds.js';

export function startWorkerSchedules(deps: {
  db: Sql;
  queue: JobQueue;
  vulnerabilities: VulnerabilityStore;
  feedSyncIntervalMs: number;
  tagWatchIntervalMs: number | undefined;
  log: Logger;
}): Array<() => Promise<void>> {
  const { db, queue, log } = deps;
  const indexing = new AbortController();
  void indexMissing(db, indexing.signal).then(
    (n) => n > 0 && log.info({ analyses: n }, 'analyses indexed for queries'),
    (err: unknown) => !indexing.signal.aborted && log.warn({ err }, 'indexing stored analyses failed'),
  );
  const stopFeedSync = feedSyncSchedule(
    queue,
    async () => newestSync(await deps.vulnerabilities.status()),
    deps.feedSyncIntervalMs,
    log.child({ role: 'worker' }),
  );
  // Poll rounds are queued each minute; each polls only the registries that are due.
  const stopWatch = watchSchedule(queue, deps.tagWatchIntervalMs === 0 ? 0 : 60_000);
  const stopArchiveRules = archiveRulesSchedule(queue, DEFAULT_ARCHIVE_RULES_INTERVAL_MS);
  return [stopArchiveRules, stopWatch, stopFeedSync, () => indexing.abort()].map(
    (stop) => async () => stop(),
  );
}
