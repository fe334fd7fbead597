import { describe, expect, it } from 'vitest';
import { createMemoryPglite } from './pglite-template.js';

describe('createMemoryPglite', () => {
  it('gives every caller its own empty database, also those unpacked from the template', async () => {
    const first = await createMemoryPglite();
    await first.exec('CREATE TABLE marker (n int); INSERT INTO marker VALUES (1)');
    const second = await createMemoryPglite();
    const third = await createMemoryPglite();
    try {
      for (const db of [second, third]) {
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
        );
        expect(rows).toEqual([{ n: 0 }]);
      }
      await second.exec('CREATE TABLE marker (n int); INSERT INTO marker VALUES (2)');
      expect((await third.query('SELECT to_regclass($1) AS t', ['marker'])).rows).toEqual([{ t: null }]);
      expect((await first.query<{ n: number }>('SELECT n FROM marker')).rows).toEqual([{ n: 1 }]);
      expect((await second.query<{ n: number }>('SELECT n FROM marker')).rows).toEqual([{ n: 2 }]);
    } finally {
      await Promise.all([first.close(), second.close(), third.close()]);
    }
  }, 120_000);
});
