/**
 * Matching a 1,000-package SBOM against the loaded database (target: at most 50 ms, issue 10), as
 * the service matches (one store per process: advisories and facts read before come from its
 * memory of the feed generation, ADR 0022) and cold (a new store per match that remembers
 * nothing, as a CLI scan opens it), and opening the embedded database from disk until it answers
 * a first lookup (target: at most 1 s).
 *
 * The match runs on the checkout's compiled build, as `portcullis` runs it (compiled-checkout.ts;
 * PORTCULLIS_BENCH_TSX=1 runs its sources through tsx instead, about a fifth slower).
 *
 * The baseline of the match benchmarks is the budget (a 50 ms sleep, so the ratio is the share
 * of it used) or, with PORTCULLIS_BENCH_BASE_ROOT=<older checkout>, the same match by that
 * checkout's code on a database its code loaded: old and new alternate run by run in this
 * process, and the ratio is new / old.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from '../src/store/migrate.js';
import { openPglite, type Sql } from '../src/store/sql.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { BASE_ROOT, ROOT } from './base-checkout.js';
import type { Benchmark, PreparedBenchmark } from './types.js';
import { matchCode, vulndbCode } from './vulndb-code.js';
import { benchSbom, loadedDataDir } from './vulndb-data.js';
import type { SbomDocument } from '../src/core/sbom/document.js';

const MATCH_BUDGET_MS = 50;
const OPEN_BUDGET_MS = 1000;

/** One checkout's match of `doc` on its loaded database: one store throughout, or a new one per match. */
async function matcher(
  root: string,
  doc: SbomDocument,
  remember: boolean,
): Promise<{ run: () => Promise<void>; db: Sql }> {
  // The database is loaded by the checkout's own sources; the match runs on its compiled build.
  const [setup, code] = await Promise.all([vulndbCode(root), matchCode(root)]);
  const db = await code.openPglite(await setup.loadedDataDir());
  const kept = code.newStore(db, { remember: true });
  return {
    db,
    run: async () => {
      const store = remember ? kept : code.newStore(db, { remember: false });
      const result = await code.matchSbom(doc, store);
      if (result.findings.length === 0) throw new Error(`bench SBOM matched nothing on ${root}`);
    },
  };
}

function matchBenchmark(name: string, runs: number, remember: boolean): Benchmark {
  return {
    name,
    baselineLabel: BASE_ROOT ? `the same match on ${BASE_ROOT}` : `${MATCH_BUDGET_MS} ms budget`,
    targetMs: MATCH_BUDGET_MS,
    runs,
    async prepare(): Promise<PreparedBenchmark> {
      const sbomDb = await openPglite(await loadedDataDir());
      const doc = await benchSbom(sbomDb).finally(() => sbomDb.close());
      const current = await matcher(ROOT, doc, remember);
      const base = BASE_ROOT ? await matcher(BASE_ROOT, doc, remember) : undefined;
      return {
        measure: current.run,
        baseline: base ? base.run : () => sleep(MATCH_BUDGET_MS),
        async cleanup() {
          await current.db.close();
          await base?.db.close();
        },
      };
    },
  };
}

export const vulndbMatchBenchmark = matchBenchmark('vulndb-match-1000', 20, true);
export const vulndbMatchColdBenchmark = matchBenchmark('vulndb-match-cold-1000', 10, false);

export const vulndbOpenBenchmark: Benchmark = {
  name: 'vulndb-open',
  baselineLabel: `${OPEN_BUDGET_MS} ms budget`,
  targetRatio: 1,
  runs: 5,
  async prepare() {
    const dataDir = await loadedDataDir();
    return {
      measure: async () => {
        const db = await openPglite(dataDir);
        try {
          await migrate(db);
          await new VulnerabilityStore(db).advisoriesFor([{ namespace: 'osv:npm', packageName: 'minimist' }]);
        } finally {
          await db.close();
        }
      },
      baseline: () => sleep(OPEN_BUDGET_MS),
    };
  },
};
