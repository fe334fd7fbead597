/**
 * The service's feed sync: `updateFeeds` from the offline mirror or the live upstreams, then the
 * stored analyses re-matched against the keys that changed. Implements the worker's SyncFeeds.
 */
import { FEED_DRIVERS } from '../core/advisories/feeds/registry.js';
import { DEFAULT_UPSTREAM_OPTIONS } from '../core/advisories/feed.js';
import type { PackageKey } from '../core/matching/rematch.js';
import type { VulnerabilityData } from '../core/pipeline/index.js';
import type { ServiceStore } from '../store/repositories/index.js';
import { updateFeeds } from '../store/update-feeds.js';
import type { VulnerabilityStore } from '../store/vulnerability-store.js';
import type { SyncFeeds } from '../worker/jobs/sync-feeds.js';
import { recordFeedSyncEvent } from './feed-sync-events.js';
import { rematchAnalyses } from './rematch-analyses.js';
import type { Notifier } from '../notifications/notify.js';

export interface FeedSyncEnvironment {
  store: ServiceStore;
  vulnerabilities: VulnerabilityStore;
  data: VulnerabilityData;
  /** Offline mirror directory; absent = the live upstreams, downloads cached under `cacheDir`. */
  mirrorDir?: string;
  cacheDir: string;
  /** Told of each analysed digest whose findings changed after the sync. */
  onFindingsChanged?: (digest: string) => Promise<void>;
  /** Queues the notifications of changed images (the configured retry deadline). */
  notifier?: Notifier;
}

export function createSyncFeeds(env: FeedSyncEnvironment): SyncFeeds {
  return async ({ signal }) => {
    // Mirror-only sources (no downloadable upstream) keep their data on a live sync.
    const drivers = env.mirrorDir
      ? FEED_DRIVERS
      : FEED_DRIVERS.filter((d) => d.upstream(DEFAULT_UPSTREAM_OPTIONS).length > 0);
    await recordFeedSyncEvent(env, {
      type: 'system.feeds.sync.started',
      level: 'info',
      message: 'Feed sync started',
      details: { feeds: drivers.map((d) => d.id) },
    });
    const outcomes = await updateFeeds(env.vulnerabilities, drivers, {
      mode: env.mirrorDir ? { mirrorDir: env.mirrorDir } : { cacheDir: env.cacheDir },
      upstream: DEFAULT_UPSTREAM_OPTIONS,
    });
    for (const o of outcomes)
      if (o.status === 'failed')
        await recordFeedSyncEvent(env, {
          type: 'system.feeds.sync.failed',
          level: 'error',
          message: `Feed sync failed: ${o.driver}`,
          details: { feed: o.driver, error: o.error },
        });
    const changed = new Map<string, PackageKey>();
    for (const o of outcomes)
      if (o.status === 'updated')
        for (const key of o.changedKeys) changed.set(`${key.namespace}\u0000${key.packageName}`, key);
    const rematch = await rematchAnalyses(env.store, env.data, [...changed.values()], {
      signal,
      ...(env.onFindingsChanged ? { onFindingsChanged: env.onFindingsChanged } : {}),
      ...(env.notifier ? { notifier: env.notifier } : {}),
    });
    const summary = {
      feeds: outcomes.map((o) => ({
        driver: o.driver,
        status: o.status,
        ...(o.status === 'failed' ? { error: o.error } : {}),
        ...(o.status === 'updated' ? { records: o.records } : {}),
      })),
      changedKeys: changed.size,
      ...rematch,
    };
    await recordFeedSyncEvent(env, {
      type: 'system.feeds.sync.completed',
      level: 'info',
      message: 'Feed sync completed',
      details: summary,
    });
    return summary;
  };
}

/** The newest feed sync, or undefined when no feed was ever synced. */
export function newestSync(feeds: readonly { lastSync: string | null }[]): Date | undefined {
  const times = feeds.flatMap((f) => (f.lastSync ? [Date.parse(f.lastSync)] : []));
  return times.length ? new Date(Math.max(...times)) : undefined;
}
