/**
 * Importing all of the shared vulnerability data (issue 4's target: at most 10 s) against just
 * reading every feed without storing, so the ratio is the storage overhead. The absolute median
 * is the figure to hold against the 10 s target.
 */
import { FEED_DRIVERS } from '../src/core/advisories/feeds/registry.js';
import { syncFeed } from '../src/core/advisories/sync.js';
import { openPglite } from '../src/store/sql.js';
import type { Benchmark } from './types.js';
import { importMirror, MIRROR } from './vulndb-data.js';

export const vulndbImportBenchmark: Benchmark = {
  name: 'vulndb-import-all',
  baselineLabel: 'reading every feed without storing; target import <= 10 s absolute',
  // Storage may cost at most twice the parsing; together that stays within the 10 s budget.
  targetRatio: 3,
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
