/**
 * A feed import never blocks readers and never shows them a mix: 100 reads run while a slow
 * feed replaces its data, and each answers with one whole generation, old or new. Reads finish
 * while the import is still loading (no transaction held across it). Read latency under a full
 * import is measured in `bench/vulndb-read-during-import.ts`, not asserted here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../test/harness/postgres.js';
import { migrate } from './migrate.js';
import { openPglite, openPostgres, type Sql } from './sql.js';
import {
  GENERATION_KEYS,
  GENERATION_SOURCE,
  generation,
  wholeGeneration,
} from './test-support/generations.js';
import { VulnerabilityStore } from './vulnerability-store.js';

const backends: [string, () => Promise<{ db: Sql; stop: () => Promise<void> }>][] = [
  [
    'PGlite',
    async () => {
      const db = await openPglite();
      return { db, stop: () => db.close() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const server = await startPostgres();
      const db = await openPostgres(server.url);
      return { db, stop: async () => (await db.close(), await server.stop()) };
    },
  ],
];

describe.each(backends)('reads during a feed import on %s', (_name, open) => {
  let db: Sql;
  let stop: () => Promise<void>;
  let store: VulnerabilityStore;

  beforeAll(async () => {
    ({ db, stop } = await open());
    await migrate(db);
    store = new VulnerabilityStore(db);
    await store.replaceFeed(GENERATION_SOURCE, generation(1));
  });
  afterAll(async () => stop?.());

  it('every one of 100 reads sees one whole generation, and reads go on while the import loads', async () => {
    let importing = true;
    const imported = store
      .replaceFeed(GENERATION_SOURCE, generation(2, 40))
      .finally(() => (importing = false));
    const seen: (number | string)[] = [];
    let duringImport = 0;
    for (let i = 0; i < 100; i++) {
      seen.push(wholeGeneration(await store.advisoriesFor(GENERATION_KEYS)));
      if (importing) duringImport++;
      await sleep(importing ? 10 : 0);
    }
    await imported;
    for (const s of seen) expect([1, 2]).toContain(s);
    // Reads were answered while the import was still running, from the old generation.
    expect(duringImport).toBeGreaterThan(0);
    expect(seen[0]).toBe(1);
    expect(wholeGeneration(await store.advisoriesFor(GENERATION_KEYS))).toBe(2);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM advisory WHERE source = $1',
      [GENERATION_SOURCE],
    );
    expect(rows[0]?.n).toBe(GENERATION_KEYS.length * 4);
  });

  it('keeps answering with the whole new generation while the next import fails', async () => {
    const failing = store.replaceFeed(GENERATION_SOURCE, async (sink) => {
      await generation(3, 20)(sink);
      throw new Error('upstream broke after the last record');
    });
    const seen: (number | string)[] = [];
    let done = false;
    void failing.catch(() => undefined).finally(() => (done = true));
    while (!done) {
      seen.push(wholeGeneration(await store.advisoriesFor(GENERATION_KEYS)));
      await sleep(10);
    }
    await expect(failing).rejects.toThrow(/upstream broke/);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([2]));
  });
});
