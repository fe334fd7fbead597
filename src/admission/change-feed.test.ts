import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../store/sql.js';
import { StoreChanges } from './change-feed.js';
import { backoffDelay } from './change-listener.js';

describe('StoreChanges.observe', () => {
  const opened = openPglite();
  afterAll(async () => (await opened).close());

  it("keeps the embedded store's write clock (regression: vuln/all queried on every request)", async () => {
    const db = await opened;
    const observed = new StoreChanges().observe(db);
    expect(db.writes).toBeDefined();
    expect(observed.writes).toBe(db.writes);
    const mark = observed.writes?.mark();
    await observed.query('SELECT 1');
    expect(mark !== undefined && observed.writes?.unchangedSince(mark)).toBe(true);
    await observed.exec('CREATE TABLE t (x int)');
    expect(mark !== undefined && observed.writes?.unchangedSince(mark)).toBe(false);
  });

  it('announces writes to the tables a decision reads, after they ran', async () => {
    const db = await opened;
    const changes = new StoreChanges();
    const observed = changes.observe(db);
    let seen = 0;
    changes.subscribe(() => seen++);
    await observed.exec('CREATE TABLE account (name text)');
    await observed.query('SELECT * FROM account');
    expect(seen).toBe(0);
    await observed.query("INSERT INTO account VALUES ('a')");
    expect(seen).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the ceiling, jittered within its upper half', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(40, 100, 10_000, () => 0)).toBe(5_000);
    expect(backoffDelay(40, 100, 10_000, () => 1)).toBe(10_000);
  });
});
