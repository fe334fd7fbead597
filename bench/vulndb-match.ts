/**
 * Matching a 1,000-package SBOM against the loaded database (target: at most 50 ms, issue 10), as
 * the service matches (one store per process: advisories and facts read before come from its
 * memory of the feed generation, ADR 0022) and cold (a new store per match that remembers nothing, as a CLI scan opens it), and opening
 * the embedded database from disk until it answers a first lookup (target: at most 1 s). The
 * baselines are those budgets, so a ratio at or below 1 meets the target.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { matchSbom } from '../src/core/matching/match.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/sql.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import type { Benchmark } from './types.js';
import { benchSbom, loadedDataDir } from './vulndb-data.js';

const MATCH_BUDGET_MS = 50;
const OPEN_BUDGET_MS = 1000;

export const vulndbMatchBenchmark: Benchmark = {
  name: 'vulndb-match-1000',
  baselineLabel: `${MATCH_BUDGET_MS} ms budget`,
  targetRatio: 1,
  runs: 20,
  async prepare() {
    const db = await openPglite(await loadedDataDir());
    const store = new VulnerabilityStore(db);
    const doc = await benchSbom(db);
    return {
      measure: async () => {
        const result = await matchSbom(doc, store);
        if (result.findings.length === 0) throw new Error('bench SBOM matched nothing');
      },
      baseline: () => sleep(MATCH_BUDGET_MS),
      cleanup: () => db.close(),
    };
  },
};

export const vulndbMatchColdBenchmark: Benchmark = {
  name: 'vulndb-match-cold-1000',
  baselineLabel: `${MATCH_BUDGET_MS} ms budget`,
  targetRatio: 1,
  runs: 10,
  async prepare() {
    const db = await openPglite(await loadedDataDir());
    const doc = await benchSbom(db);
    return {
      measure: async () => {
        const result = await matchSbom(doc, new VulnerabilityStore(db, { remember: false }));
        if (result.findings.length === 0) throw new Error('bench SBOM matched nothing');
      },
      baseline: () => sleep(MATCH_BUDGET_MS),
      cleanup: () => db.close(),
    };
  },
};

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
