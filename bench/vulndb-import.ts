/**
 * Importing all of the shared vulnerability data, held to an absolute target of at most 8 s
 * (issue 10). The baseline, reading every feed without storing, is shown beside it so the ratio
 * tells how much of the time storing costs. Each run imports into a new in-memory database:
 * the warm-up run pays initdb (about 2 s of CPU), the measured ones unpack the process's
 * template database (about 0.5 s, `src/store/pglite-template.ts`), as a first `db update` into
 * a new database would not (it pays initdb once).
 */
import { FEED_DRIVERS } from '../src/core/advisories/feeds/registry.js';
import { syncFeed } from '../src/core/advisories/sync.js';
import { openPglite } from '../src/store/sql.js';
import type { Benchmark } from './types.js';
import { importMirror, MIRROR } from './vulndb-data.js';

export const vulndbImportBenchmark: Benchmark = {
  name: 'vulndb-import-all',
  baselineLabel: 'reading every feed without storing',
  targetMs: 8_000,
  runs: 3,
  prepare() {
    return Promise.resolve({
      measure: async () => {
        const db = await openPglite();
        try {
          await importMirror(db);
        } finally {
          await db.close();
        }
      },
      baseline: async () => {
        for (const driver of FEED_DRIVERS)
          await syncFeed(driver, { mode: { mirrorDir: MIRROR } }, () => undefined);
      },
    });
  },
};
