/**
 * Runs one feed driver end to end: from a mirror directory (offline), or from its live
 * upstream into the download cache with conditional requests, then reads it and reports
 * freshness. Storage is the caller's: records go to `onRecord`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { PortcullisError } from '../errors.js';
import {
  conditionalDownload,
  DEFAULT_HTTP_OPTIONS,
  loadFetchState,
  saveFetchState,
  type HttpOptions,
} from './fetch/conditional-download.js';
import { verifyFeedFile } from './fetch/verify-file.js';
import {
  DEFAULT_UPSTREAM_OPTIONS,
  type FeedDriver,
  type RecordSink,
  type UpstreamFile,
  type UpstreamOptions,
} from './feed.js';
import { ImportReportBuilder, type ImportReport } from './import-report.js';

/** What `db status` shows per source. */
export interface FeedFreshness {
  driver: string;
  /** ISO time of the last successful sync. */
  lastSync: string;
  records: number;
  /** Upstream version stamp, else a content hash of the files read (`sha256:<16 hex>`). */
  sourceVersion: string;
  /** False when every upstream answered 304 and nothing was read. */
  changed: boolean;
}

export type SyncMode = { mirrorDir: string } | { cacheDir: string; http?: HttpOptions };

export interface SyncOptions {
  mode: SyncMode;
  upstream?: UpstreamOptions;
  /** Read even when nothing changed upstream. */
  force?: boolean;
  now?: () => Date;
}

export interface SyncResult {
  report: ImportReport | undefined;
  freshness: FeedFreshness;
}

export const FETCH_STATE_SUFFIX = '.fetch-state.json';

/** Index → file → ... chains are short (mirror.list → repomd.xml → updateinfo); a loop is a bug. */
const MAX_FOLLOW_UP_ROUNDS = 4;

async function contentHash(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${basename(file)}\0`);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

async function readAll(driver: FeedDriver, dir: string, onRecord: RecordSink, now: () => Date) {
  const builder = new ImportReportBuilder(driver.id);
  const result = await driver.read({ dir }, onRecord, builder);
  const report = builder.finish();
  const sourceVersion = result.sourceVersion ?? (await contentHash(report.files));
  const freshness: FeedFreshness = {
    driver: driver.id,
    lastSync: now().toISOString(),
    records: report.records,
    sourceVersion,
    changed: true,
  };
  return { report, freshness };
}

/** Reads a feed's input directory (a mirror folder or the download cache) into `onRecord`. */
export async function readFeedInput(
  driver: FeedDriver,
  dir: string,
  onRecord: RecordSink,
  now: () => Date = () => new Date(),
): Promise<SyncResult> {
  // A mirror that does not carry a source (an older snapshot, a partial copy) says "no data
  // from it": an empty, visible import (0 records in `db status`) rather than a failed update.
  if (!existsSync(dir)) return absentFromMirror(driver, now);
  return readAll(driver, dir, onRecord, now);
}

export const ABSENT_FROM_MIRROR = 'absent-from-mirror';

function absentFromMirror(driver: FeedDriver, now: () => Date): SyncResult {
  const report = new ImportReportBuilder(driver.id).finish();
  return {
    report,
    freshness: {
      driver: driver.id,
      lastSync: now().toISOString(),
      records: 0,
      sourceVersion: ABSENT_FROM_MIRROR,
      changed: true,
    },
  };
}

export interface FeedInput {
  /** The directory the driver reads. */
  dir: string;
  /** False when every upstream answered 304 (always true for a mirror). */
  downloaded: boolean;
  /** What the download cache remembers of the last full read, if anything. */
  lastRun?: Omit<FeedFreshness, 'driver' | 'changed'>;
  /** Remembers a full read of this input (the download cache's own "unchanged" shortcut). */
  remember(freshness: FeedFreshness): Promise<void>;
}

/**
 * The network half of a sync, with no reading: from a mirror, the input is the mirror's folder;
 * live, every upstream file is fetched into the download cache with conditional requests.
 */
export async function fetchFeedInput(driver: FeedDriver, options: SyncOptions): Promise<FeedInput> {
  if ('mirrorDir' in options.mode) {
    return {
      dir: join(options.mode.mirrorDir, driver.mirrorSubdir),
      downloaded: true,
      remember: async () => {},
    };
  }
  const upstream = driver.upstream(options.upstream ?? DEFAULT_UPSTREAM_OPTIONS);
  if (upstream.length === 0) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `feed ${driver.id} has no live upstream; sync it from a mirror directory`,
      {
        details: { driver: driver.id },
      },
    );
  }
  const dir = join(options.mode.cacheDir, 'feeds', driver.mirrorSubdir);
  // Outside the feed folder, so no driver mistakes it for data (OSV reads every *.json).
  const statePath = join(options.mode.cacheDir, 'feeds', `${driver.id}${FETCH_STATE_SUFFIX}`);
  const state = await loadFetchState(statePath);
  const http = options.mode.http ?? DEFAULT_HTTP_OPTIONS;
  let downloaded = false;
  const fetchAll = async (files: readonly UpstreamFile[]): Promise<void> => {
    for (const file of files) {
      const dest = resolve(dir, file.path);
      // Paths come from configuration and upstream indexes: never write outside the cache.
      if (!dest.startsWith(`${resolve(dir)}${sep}`)) {
        throw new PortcullisError(
          'UNSAFE_PATH',
          `feed ${driver.id}: upstream path "${file.path}" leaves ${dir}`,
          {
            details: { driver: driver.id, path: file.path },
          },
        );
      }
      const result = await conditionalDownload(
        file.url,
        dest,
        state.files[file.path],
        http,
        (tmp) => verifyFeedFile(tmp, file.path),
        options.now,
      );
      state.files[file.path] = result.state;
      if (result.status === 'downloaded') downloaded = true;
      // Persist after each file, so a later failure does not forget what is already on disk.
      await saveFetchState(statePath, state);
    }
  };
  await fetchAll(upstream);
  for (let round = 1; driver.followUp && round <= MAX_FOLLOW_UP_ROUNDS; round++) {
    const next = await driver.followUp(dir, round);
    if (next.length === 0) break;
    await fetchAll(next);
  }
  return {
    dir,
    downloaded,
    ...(state.lastRun ? { lastRun: state.lastRun } : {}),
    async remember(freshness) {
      state.lastRun = {
        lastSync: freshness.lastSync,
        records: freshness.records,
        sourceVersion: freshness.sourceVersion,
      };
      await saveFetchState(statePath, state);
    },
  };
}

export async function syncFeed(
  driver: FeedDriver,
  options: SyncOptions,
  onRecord: RecordSink,
): Promise<SyncResult> {
  const now = options.now ?? (() => new Date());
  const input = await fetchFeedInput(driver, options);
  if (!input.downloaded && !options.force && input.lastRun) {
    return { report: undefined, freshness: { driver: driver.id, ...input.lastRun, changed: false } };
  }
  const out = await readFeedInput(driver, input.dir, onRecord, now);
  await input.remember(out.freshness);
  return out;
}
