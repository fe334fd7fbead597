/**
 * How long one read waits while a feed import runs (issue 11: "none waits longer than 100 ms").
 * The OSV feed is re-imported in a loop in the background; each measured repetition is one
 * advisory lookup of 100 packages. On PostgreSQL the import runs on its own connection and
 * reads never queue behind it; PGlite has one connection, so a read waits for the statement in
 * flight (a batch insert, an index build) but never for the whole import.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { feedDriver } from '../src/core/advisories/feeds/registry.js';
import type { FeedDriver } from '../src/core/advisories/feed.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite, openPostgres, type Sql } from '../src/store/sql.js';
import { updateFeeds } from '../src/store/update-feeds.js';
import { VulnerabilityStore, type PackageKey } from '../src/store/vulnerability-store.js';
import { startPostgres } from '../test/harness/postgres.js';
import type { Benchmark, PreparedBenchmark } from './types.js';
import { MIRROR } from './vulndb-data.js';

const READ_BUDGET_MS = 100;

async function prepareWith(db: Sql, stop: () => Promise<void>): Promise<PreparedBenchmark> {
  await migrate(db);
  const store = new VulnerabilityStore(db);
  const osv = [feedDriver('osv') as FeedDriver];
  await updateFeeds(store, osv, { mode: { mirrorDir: MIRROR } });
  const { rows } = await db.query<{ ns: string; pkg: string }>(
    "SELECT DISTINCT namespace AS ns, package_name AS pkg FROM advisory WHERE namespace = 'osv:npm' ORDER BY 2 LIMIT 100",
  );
  const keys: PackageKey[] = rows.map((r) => ({ namespace: r.ns, packageName: r.pkg }));
  let running = true;
  const importing = (async () => {
    while (running) {
      const [outcome] = await updateFeeds(store, osv, { mode: { mirrorDir: MIRROR }, force: true });
      if (outcome?.status !== 'updated')
        throw new Error(`background import failed: ${JSON.stringify(outcome)}`);
    }
  })();
  return {
    measure: async () => {
      if ((await store.advisoriesFor(keys)).length === 0) throw new Error('read found nothing');
    },
    baseline: () => sleep(READ_BUDGET_MS),
    cleanup: async () => {
      running = false;
      await importing;
      await stop();
    },
  };
}

const common = {
  baselineLabel: `${READ_BUDGET_MS} ms budget`,
  targetRatio: 1,
  runs: 40,
} as const;

export const vulndbReadDuringImportPgliteBenchmark: Benchmark = {
  ...common,
  name: 'vulndb-read-during-import-pglite',
  async prepare() {
    const db = await openPglite();
    return prepareWith(db, () => db.close());
  },
};

export const vulndbReadDuringImportPostgresBenchmark: Benchmark = {
  ...common,
  name: 'vulndb-read-during-import-postgres',
  async prepare() {
    const server = await startPostgres();
    const db = await openPostgres(server.url);
    return prepareWith(db, async () => {
      await db.close();
      await server.stop();
    });
  },
};
