/**
 * Replacing feeds without blocking readers: every source is loaded into staging tables first
 * (the slow part, no transaction open, nobody waits), then all staged sources are swapped in
 * with their `feed_source` rows in one short transaction. One import runs at a time per
 * database (an advisory lock), so two `db update`s never interleave their swaps.
 */
import type { ImportReport } from '../core/advisories/import-report.js';
import type { FeedRecord } from '../core/advisories/model.js';
import type { FeedFreshness } from '../core/advisories/sync.js';
import { withAdvisoryLock } from './advisory-lock.js';
import { attachedPartition, StagingTables, swapTransaction } from './feed-partitions.js';
import { FeedWriter } from './feed-writer.js';
import type { Sql } from './sql.js';

export interface PackageKey {
  namespace: string;
  packageName: string;
}

/** What a feed's producer returns once it has sunk every record. */
export interface Produced {
  freshness: FeedFreshness;
  report?: ImportReport;
  /** The count to record when it is not the number of records sunk (bundle import). */
  records?: number;
  /** What the input looked like (`db update` skips the feed next time if it is the same). */
  inputFingerprint?: unknown;
}

export type Producer = (sink: (record: FeedRecord) => Promise<void>) => Promise<Produced>;

export interface StagedFeed {
  source: string;
  records: number;
  freshness: FeedFreshness;
  /** (namespace, package) keys whose advisories were added, removed or changed. */
  changedKeys: PackageKey[];
}

/** Per (namespace, package) of one table: a hash over its advisories' content hashes. */
async function keyHashes(db: Sql, table: string | undefined): Promise<Map<string, string>> {
  if (!table) return new Map();
  const { rows } = await db.query<{ ns: string; pkg: string; h: string }>(
    `SELECT namespace AS ns, package_name AS pkg,
            md5(string_agg(coalesce(content_hash, md5(record::text)), ',' ORDER BY coalesce(content_hash, md5(record::text)))) AS h
     FROM "${table}" GROUP BY namespace, package_name`,
  );
  return new Map(rows.map((r) => [`${r.ns}\u0000${r.pkg}`, r.h]));
}

const toKey = (k: string): PackageKey => {
  const i = k.indexOf('\u0000');
  return { namespace: k.slice(0, i), packageName: k.slice(i + 1) };
};

/** Keys whose advisories were added, removed or changed between two snapshots. */
function diffKeys(before: Map<string, string>, after: Map<string, string>): PackageKey[] {
  const changed: PackageKey[] = [];
  for (const [k, h] of after) if (before.get(k) !== h) changed.push(toKey(k));
  for (const k of before.keys()) if (!after.has(k)) changed.push(toKey(k));
  return changed;
}

interface Pending {
  staging: StagingTables;
  produced: Produced;
  staged: StagedFeed;
}

/** Stages feeds and commits them; only reachable through `withFeedImport`. */
export class FeedImporter {
  private readonly pending: Pending[] = [];

  constructor(private readonly db: Sql) {}

  /** Loads `source`'s records into staging tables; nothing is visible until `commit`. */
  async stage(source: string, produce: Producer): Promise<StagedFeed> {
    const { db } = this;
    const staging = await StagingTables.begin(db, source);
    const writer = new FeedWriter(db, staging);
    let produced: Produced;
    try {
      produced = await produce((record) => writer.add(record));
      await writer.finish();
      await staging.finish();
    } catch (err) {
      await staging.discard();
      throw err;
    }
    const current = await attachedPartition(db, 'advisory', source);
    const next = staging.staged('advisory');
    // On a first import every key is new: the writer's list of them is enough, no hashes to
    // compare and no scan of the staged table.
    const changedKeys = current
      ? diffKeys(await keyHashes(db, current), await keyHashes(db, next))
      : [...writer.keys].map(toKey);
    const staged: StagedFeed = {
      source,
      records: produced.records ?? writer.count,
      freshness: produced.freshness,
      changedKeys,
    };
    this.pending.push({ staging, produced, staged });
    return staged;
  }

  /** Swaps every staged source in, with its `feed_source` row, in one short transaction. */
  async commit(): Promise<void> {
    await swapTransaction(this.db, async (tx) => {
      for (const { staging, produced, staged } of this.pending) {
        await staging.swap(tx);
        await tx.query(
          `INSERT INTO feed_source (source, last_sync, records, source_version, report, input_fingerprint)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
           ON CONFLICT (source) DO UPDATE SET last_sync = EXCLUDED.last_sync, records = EXCLUDED.records,
             source_version = EXCLUDED.source_version, report = EXCLUDED.report,
             input_fingerprint = EXCLUDED.input_fingerprint`,
          [
            staged.source,
            produced.freshness.lastSync,
            staged.records,
            produced.freshness.sourceVersion,
            JSON.stringify(produced.report ?? {}),
            produced.inputFingerprint === undefined ? null : JSON.stringify(produced.inputFingerprint),
          ],
        );
      }
    });
    this.pending.length = 0;
  }

  /** Drops whatever was staged and not committed (a failed producer, a failed swap). */
  async discard(): Promise<void> {
    for (const { staging } of this.pending.splice(0)) await staging.discard();
  }
}

/** Runs `fn` holding the database's feed-import lock; uncommitted staging is dropped after. */
export function withFeedImport<T>(db: Sql, fn: (importer: FeedImporter) => Promise<T>): Promise<T> {
  return withAdvisoryLock(db, 'feed-import', async (session) => {
    const importer = new FeedImporter(session);
    try {
      return await fn(importer);
    } finally {
      await importer.discard();
    }
  });
}
