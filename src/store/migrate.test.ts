/**
 * Several processes start at once against one fresh PostgreSQL database: migrations run under
 * an advisory lock, so they take turns and none fails on a duplicate key. The test holds the
 * lock itself until both processes are queued on it, so they really do arrive together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../test/harness/postgres.js';
import { advisoryLockKey } from './advisory-lock.js';
import { MIGRATIONS } from './migrations.js';
import { openPostgres, type Sql } from './sql.js';
import { storeChild } from './test-support/child.js';
import { setTimeout as sleep } from 'node:timers/promises';

describe('migrations from several processes at once', () => {
  let server: PostgresServer;
  let db: Sql;

  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres(server.url);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  it('two processes migrating a fresh database both succeed and apply each migration once', async () => {
    const results = await db.session(async (session) => {
      const key = advisoryLockKey('migrate');
      await session.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      const children = [storeChild('migrate', server.url), storeChild('migrate', server.url)];
      try {
        // Wait until both children are queued behind the lock this test holds.
        for (let waiting = 0; waiting < 2; await sleep(100)) {
          const { rows } = await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
          );
          waiting = rows[0]?.n ?? 0;
          const exited = await Promise.race([...children.map((c) => c.done), sleep(0)]);
          if (exited) throw new Error(`a child exited before queuing: ${JSON.stringify(exited)}`);
        }
      } finally {
        await session.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      }
      return Promise.all(children.map((c) => c.done));
    });
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const applied = results.map((r) => JSON.parse(r.stdout) as number[]);
    // One process applied everything; the other found the schema current.
    expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.id));
    const { rows } = await db.query<{ id: number }>('SELECT id FROM schema_migration ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it('the pool size is configurable and validated', async () => {
    const small = await openPostgres(server.url, 1);
    expect((await small.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await small.close();
    await expect(openPostgres(server.url, 0)).rejects.toThrow(/pool size/);
  });
});
