/**
 * Importing all of the shared vulnerability data, held to an absolute target of at most 8 s
 * (issue 10). The baseline, reading every feed without storing, is shown beside it so the ratio
 * tells how much of the time storing costs; with PORTCULLIS_BENCH_BASE_ROOT=<older checkout> it
 * is the same import by that checkout's code instead (the ratio is new / old). Each run imports
 * into a new in-memory database: the warm-up run pays initdb (about 2 s of CPU), the measured
 * ones unpack the process's template database (about 0.5 s, `src/store/pglite-template.ts`), as
 * a first `db update` into a new database would not (it pays initdb once).
 */
import { FEED_DRIVERS } from '../src/core/advisories/feeds/registry.js';
import { syncFeed } from '../src/core/advisories/sync.js';
import { BASE_ROOT, ROOT } from './base-checkout.js';
import type { Benchmark } from './types.js';
import { vulndbCode } from './vulndb-code.js';
import { MIRROR } from './vulndb-data.js';

async function importer(root: string): Promise<() => Promise<void>> {
  const code = await vulndbCode(root);
  return async () => {
    const db = await code.openPglite();
    try {
      await code.importMirror(db);
    } finally {
      await db.close();
    }
  };
}

export const vulndbImportBenchmark: Benchmark = {
  name: 'vulndb-import-all',
  baselineLabel: BASE_ROOT ? `the same import on ${BASE_ROOT}` : 'reading every feed without storing',
  targetMs: 8_000,
  runs: 3,
  async prepare() {
    const readOnly = async () => {
      for (const driver of FEED_DRIVERS)
        await syncFeed(driver, { mode: { mirrorDir: MIRROR } }, () => undefined);
    };
    return {
      measure: await importer(ROOT),
      baseline: BASE_ROOT ? await importer(BASE_ROOT) : readOnly,
    };
  },
};
