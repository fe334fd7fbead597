import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase, STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { createServiceStore } from '../repositories/index.js';
import { createSecretBox } from '../repositories/secret-box.js';
import type { Sql } from '../sql.js';
import { fleet, storeInBulk, storeOneByOne } from './monitor-fleet.js';

afterAll(() => stopSharedPostgres());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Values that differ between any two writes: when written, sequence numbers, random ids. */
function normalise(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (/(_at|last_updated)$/.test(key)) out[key] = value === null ? null : 'a time';
    else if (key === 'findings_rev') out[key] = typeof value === 'number' ? 'a revision' : value;
    else if (table === 'subscription' && key === 'id')
      out[key] = typeof value === 'string' && UUID.test(value) ? 'a uuid' : value;
    else out[key] = value;
  }
  return out;
}

/** Every row of every table of the database, normalised and sorted, by table name. */
async function everyRow(db: Sql): Promise<Record<string, string[]>> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const all: Record<string, string[]> = {};
  for (const { table_name: table } of tables) {
    const { rows } = await db.query<{ r: Record<string, unknown> }>(
      `SELECT to_jsonb(t) AS r FROM "${table}" t`,
    );
    all[table] = rows.map((r) => JSON.stringify(normalise(table, r.r))).sort();
  }
  return all;
}

describe.each(STORE_KINDS)('the monitoring fleet on %s', (kind) => {
  it('stores in bulk exactly the rows the service write path stores', async () => {
    const images = [...fleet(12, 99)];
    const [real, bulk] = [await openTestDatabase(kind), await openTestDatabase(kind)];
    try {
      const stores = [real, bulk].map((d) => createServiceStore(d.db, createSecretBox(randomBytes(32))));
      for (const store of stores) await store.accounts.create({ name: 'bench', type: 'user' });
      for (const image of images) await storeOneByOne(stores[0]!, 'bench', image);
      await storeInBulk(bulk.db, 'bench', images.slice(0, 5));
      await storeInBulk(bulk.db, 'bench', images.slice(5));
      const [expected, actual] = [await everyRow(real.db), await everyRow(bulk.db)];
      expect(expected.image_package).toHaveLength(12 * 160);
      expect(expected.subscription).toHaveLength(12 * 4);
      expect(expected.image_finding?.length).toBeGreaterThan(0);
      expect(Object.keys(actual)).toEqual(Object.keys(expected));
      for (const table of Object.keys(expected))
        expect({ table, rows: actual[table] }).toEqual({ table, rows: expected[table] });
    } finally {
      await real.stop();
      await bulk.stop();
    }
  });
});
