/**
 * `db update`: runs each feed driver (from a mirror directory or the live upstream) into the
 * store, one atomic replacement per feed. Downloads happen before any database work; a feed
 * whose input is byte-for-byte what was imported last time is not read again. A feed that fails
 * keeps its previous data and the others still update; the outcome of each is reported.
 */
import { describeError } from '../core/errors.js';
import type { FeedDriver } from '../core/advisories/feed.js';
import { compareInput, fingerprintInput } from '../core/advisories/fetch/input-fingerprint.js';
import { fetchFeedInput, readFeedInput, type SyncOptions } from '../core/advisories/sync.js';
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

async function updateOne(
  store: VulnerabilityStore,
  driver: FeedDriver,
  options: SyncOptions,
  started: number,
): Promise<FeedOutcome> {
  const now = options.now ?? (() => new Date());
  // The network part first: no database work waits on a download.
  const input = await fetchFeedInput(driver, options);
  if (!options.force) {
    const seen = await compareInput(await store.inputFingerprint(driver.id), driver, input.dir);
    if (seen.same) {
      await store.touchFeed(driver.id, now().toISOString(), seen.refreshed);
      return { driver: driver.id, status: 'unchanged', durationMs: Date.now() - started };
    }
  }
  const inputFingerprint = await fingerprintInput(driver, input.dir);
  let report: ImportReport | undefined;
  const { records, changedKeys, freshness } = await store.replaceFeed(driver.id, async (sink) => {
    const result = await readFeedInput(driver, input.dir, sink, now);
    report = result.report;
    return { freshness: result.freshness, inputFingerprint, ...(report ? { report } : {}) };
  });
  await input.remember(freshness);
  return {
    driver: driver.id,
    status: 'updated',
    records,
    ...(report ? { report } : {}),
    changedKeys,
    durationMs: Date.now() - started,
  };
}

export async function updateFeeds(
  store: VulnerabilityStore,
  drivers: readonly FeedDriver[],
  options: SyncOptions,
): Promise<FeedOutcome[]> {
  const outcomes: FeedOutcome[] = [];
  for (const driver of drivers) {
    const started = Date.now();
    try {
      outcomes.push(await updateOne(store, driver, options, started));
    } catch (err) {
      outcomes.push({
        driver: driver.id,
        status: 'failed',
        error: describeError(err),
        durationMs: Date.now() - started,
      });
    }
  }
  return outcomes;
}
