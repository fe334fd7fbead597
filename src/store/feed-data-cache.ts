/**
 * A per-process memory of the advisories and enrichment facts the matcher has read, keyed by the
 * feed generation (ADR 0022). Every feed import loads new partitions with new names and swaps
 * them in (feed-partitions.ts), so the names of the attached partitions identify the data a
 * reader sees: when they change, the memory is dropped. A match of the same packages then costs
 * one catalog query instead of fetching and parsing 2 MB of JSON. Cached objects are frozen: a
 * caller that tried to change one would throw rather than corrupt the next match.
 */
import type { Sql } from './sql.js';

/**
 * Every attached partition (the feed tables are the store's only partitioned tables): a swap of
 * any of them changes the generation. A new partition is a new table with a new OID. Listing
 * them all costs 0.8 ms CPU on PGlite; naming the four parents (regclass casts) cost 1.5 ms and
 * joining pg_class for the names 2.9 ms.
 */
const GENERATION_SQL = `SELECT coalesce(string_agg(inhrelid::text, ',' ORDER BY inhrelid), '') FROM pg_inherits`;

/** A select list item giving the generation in the same statement (snapshot) as the data. */
export const GENERATION_COLUMN = `(${GENERATION_SQL}) AS generation`;

/** Entries kept at most per map; beyond it the map starts over (the whole mirror is ~30,000 keys). */
const MAX_ENTRIES = 200_000;

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

class Memo<V> {
  private readonly entries = new Map<string, V>();

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, value: V): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** What one generation's memory holds; `fill` answers the missing keys and their generation. */
export class FeedDataCache<V> {
  private generation: string | undefined;
  private readonly memo = new Memo<V>();

  /**
   * `remember: false` (a store opened for one match, as a CLI scan): every `get` reads its keys
   * and keeps nothing, so it pays neither the generation check nor the freezing.
   */
  constructor(
    private readonly db: Sql,
    private readonly remember = true,
  ) {}

  /**
   * The values of `keys`, reading only those not remembered for the current generation. `fill`
   * must answer every key it is given (an empty value for a key with no data) and the generation
   * its data was read at, from the same statement. If the data was swapped between the check
   * and the read, the memory starts over at the new generation and the read is repeated.
   */
  async get(
    keys: readonly string[],
    fill: (missing: string[]) => Promise<{ generation: string; values: Map<string, V> }>,
  ): Promise<Map<string, V>> {
    if (!this.remember) return (await fill([...new Set(keys)])).values;
    for (let attempt = 1; ; attempt++) {
      const { rows } = await this.db.query<{ g: string }>(`SELECT (${GENERATION_SQL}) AS g`);
      this.startAt(rows[0]?.g ?? '');
      const missing = [...new Set(keys.filter((k) => !this.memo.has(k)))];
      let values = new Map<string, V>();
      if (missing.length > 0) {
        let generation: string;
        ({ generation, values } = await fill(missing));
        if (generation !== this.generation) {
          // A swap between the two statements: the answer is of the newer data. Remember it
          // under its own generation and read the keys remembered from the old one again.
          this.startAt(generation);
          for (const [k, v] of values) this.memo.set(k, deepFreeze(v));
          if (attempt < 3) continue;
          // Swaps keep racing the reads: answer from one read of every key, remembering nothing.
          return (await fill([...new Set(keys)])).values;
        }
        for (const [k, v] of values) this.memo.set(k, deepFreeze(v));
      }
      const out = new Map<string, V>();
      for (const k of keys) {
        // The fresh answer first: remembering it may have started the memory over.
        const v = values.get(k) ?? this.memo.get(k);
        if (v !== undefined) out.set(k, v);
      }
      return out;
    }
  }

  private startAt(generation: string): void {
    if (generation === this.generation) return;
    this.generation = generation;
    this.memo.clear();
  }
}
