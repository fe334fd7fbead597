/**
 * `db update`: runs each feed driver (from a mirror directory or the live upstream) into the
 * store, one atomic replacement per feed. A feed that fails keeps its previous data and the
 * others still update; the outcome of each is reported.
 */
import { describeError } from '../core/errors.js';
import type { FeedDriver } from '../core/advisories/feed.js';
import { syncFeed, type SyncOptions } from '../core/advisories/sync.js';
import type { ImportReport } from '../core/advisories/import-report.js';
import type { PackageKey, VulnerabilityStore } from './vulnerability-store.js';

export type FeedOutcome =
  | {
      driver: string;
      status: 'updated';
      records: number;
      report?: ImportReport;
      /** (namespace, package) keys whose advisories changed: the packages to re-match. */
      changedKeys: PackageKey[];
      durationMs: number;
    }
  | { driver: string; status: 'unchanged'; durationMs: number }
  | { driver: string; status: 'failed'; error: string; durationMs: number };

class Unchanged extends Error {}

export async function updateFeeds(
  store: VulnerabilityStore,
  drivers: readonly FeedDriver[],
  options: SyncOptions,
): Promise<FeedOutcome[]> {
  const outcomes: FeedOutcome[] = [];
  for (const driver of drivers) {
    const started = Date.now();
    try {
      let report: ImportReport | undefined;
      const { records, changedKeys } = await store.replaceFeed(driver.id, async (sink) => {
        const result = await syncFeed(driver, options, sink);
        // Nothing new upstream: roll back the (empty) replacement, keep what is stored.
        if (!result.freshness.changed) throw new Unchanged(result.freshness.lastSync);
        report = result.report;
        return { freshness: result.freshness, ...(result.report ? { report: result.report } : {}) };
      });
      outcomes.push({
        driver: driver.id,
        status: 'updated',
        records,
        ...(report ? { report } : {}),
        changedKeys,
        durationMs: Date.now() - started,
      });
    } catch (err) {
      if (err instanceof Unchanged) {
        await store.touchFeed(driver.id, err.message);
        outcomes.push({ driver: driver.id, status: 'unchanged', durationMs: Date.now() - started });
      } else {
        outcomes.push({
          driver: driver.id,
          status: 'failed',
          error: describeError(err),
          durationMs: Date.now() - started,
        });
      }
    }
  }
  return outcomes;
}
