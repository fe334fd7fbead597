/** The embedded store's write clock: what counts as a write, and marks across real statements. */
import { describe, expect, it } from 'vitest';
import { openPglite } from './sql.js';
import { WriteClock } from './write-clock.js';

describe('WriteClock', () => {
  it.each([
    ['SELECT 1', false],
    ['  select a FROM t WHERE b = $1', false],
    ["SELECT nextval('findings_rev')", true],
    ['SELECT * FROM job FOR UPDATE SKIP LOCKED', true],
    ['SELECT 1 INTO t2', true],
    ['UPDATE t SET a = 1', true],
    ['WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x', true],
    ['INSERT INTO t VALUES (1)', true],
  ])('%s may write: %s', (text, expected) => {
    expect(WriteClock.mayWrite(text)).toBe(expected);
  });

  it('keeps a mark across reads, loses it on a write, a transaction or an exec', async () => {
    const db = await openPglite();
    try {
      const clock = db.writes!;
      await db.exec('CREATE TABLE t (a int)');
      const mark = clock.mark()!;
      await db.query('SELECT a FROM t');
      expect(clock.unchangedSince(mark)).toBe(true);
      await db.query('INSERT INTO t VALUES ($1)', [1]);
      expect(clock.unchangedSince(mark)).toBe(false);

      const before = clock.mark()!;
      let inside: number | undefined = 0;
      await db.transaction(async (tx) => {
        await tx.query('SELECT a FROM t');
        inside = clock.mark();
      });
      expect(inside).toBeUndefined();
      expect(clock.unchangedSince(before)).toBe(false);

      const failed = clock.mark()!;
      await expect(db.transaction(() => Promise.reject(new Error('rolled back')))).rejects.toThrow();
      expect(clock.unchangedSince(failed)).toBe(false);
      expect(clock.mark()).toBeDefined();
    } finally {
      await db.close();
    }
  });
});
