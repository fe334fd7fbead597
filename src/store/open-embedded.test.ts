/**
 * The embedded database is opened by one process at a time: two real processes writing the
 * same store wait for each other and every committed row survives; the fail-fast mode (the
 * service) refuses at once with a clear, coded error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../core/errors.js';
import { migrate } from './migrate.js';
import { openEmbedded } from './open-embedded.js';
import type { Sql } from './sql.js';
import { storeChild, type StoreChild } from './test-support/child.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function tempDataDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'portcullis-embedded-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  return join(root, 'db');
}

async function holder(dataDir: string): Promise<Sql> {
  const db = await openEmbedded(dataDir, { mode: 'fail' });
  let closed = false;
  cleanup.push(async () => {
    if (!closed) await db.close();
  });
  return { ...db, close: async () => ((closed = true), db.close()) };
}

describe('the embedded store is opened by one process at a time', () => {
  it('two processes writing one store at once both finish and lose no row', async () => {
    const dataDir = await tempDataDir();
    // This process holds the store first, so both children are sure to arrive while it is busy.
    const db = await holder(dataDir);
    await migrate(db);
    await db.exec('CREATE TABLE probe_row (writer text NOT NULL, n integer NOT NULL)');
    const children: StoreChild[] = ['a', 'b'].map((w) => storeChild('write', dataDir, w, '200'));
    cleanup.push(async () => children.forEach((c) => c.kill()));
    await Promise.all(children.map((c) => c.saw('waiting for another Portcullis process')));
    for (let n = 0; n < 50; n++) await db.query("INSERT INTO probe_row VALUES ('parent', $1)", [n]);
    await db.close();

    const results = await Promise.all(children.map((c) => c.done));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'done\n' });
    const reopened = await holder(dataDir);
    const { rows } = await reopened.query<{ writer: string; n: number; distinct_n: number }>(
      'SELECT writer, count(*)::int AS n, count(DISTINCT n)::int AS distinct_n FROM probe_row GROUP BY writer ORDER BY writer',
    );
    expect(rows).toEqual([
      { writer: 'a', n: 200, distinct_n: 200 },
      { writer: 'b', n: 200, distinct_n: 200 },
      { writer: 'parent', n: 50, distinct_n: 50 },
    ]);
    await reopened.close();
  });

  it('fails at once in fail mode, and after its timeout in wait mode, naming the directory', async () => {
    const dataDir = await tempDataDir();
    await holder(dataDir);
    const fail = await openEmbedded(dataDir, { mode: 'fail' }).catch((e: unknown) => e);
    expect(isPortcullisError(fail, 'DATABASE_LOCKED')).toBe(true);
    expect((fail as Error).message).toContain(dataDir);

    const told: string[] = [];
    const wait = await openEmbedded(dataDir, {
      mode: 'wait',
      timeoutMs: 600,
      onWait: (m) => told.push(m),
    }).catch((e: unknown) => e);
    expect(isPortcullisError(wait, 'DATABASE_LOCKED')).toBe(true);
    expect((wait as Error).message).toMatch(/waited \d+ s/);
    expect(told).toEqual([expect.stringContaining(`release the embedded database ${dataDir}`)]);
  });

  it('is free again once its holder closes it', async () => {
    const dataDir = await tempDataDir();
    const first = await holder(dataDir);
    await first.close();
    const second = await holder(dataDir);
    expect((await second.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await second.close();
  });
});
