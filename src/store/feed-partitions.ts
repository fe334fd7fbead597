/**
 * Each feed table is partitioned by source (migration 4). A feed import loads a new, unattached
 * table per feed table ("staging"), builds its indexes once after the bulk load, and then swaps
 * it in with DETACH/ATTACH in one short transaction. Readers never wait for the load and see
 * the old rows or the new ones, never a mix; dropping the old partition is a file unlink, not a
 * row-by-row delete.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from './sql.js';

export const FEED_TABLES = ['advisory', 'cvss', 'kev', 'epss', 'ssvc', 'cpe_config'] as const;
export type FeedTable = (typeof FEED_TABLES)[number];

/**
 * The columns whose statistics the store's queries are planned on (their lookups, filters and
 * joins). A staged table is analysed on these only: sampling the JSON record columns cost most
 * of ANALYZE (measured 585-1,016 against 240-263 ms CPU over every feed table of the mirror).
 */
const PLANNED_COLUMNS: Record<FeedTable, readonly string[]> = {
  advisory: ['namespace', 'package_name', 'id', 'aliases', 'withdrawn'],
  cvss: ['cve'],
  kev: ['cve'],
  epss: ['bucket'],
  ssvc: ['cve'],
  cpe_config: ['products'],
};

/** DDL takes no parameters; sources are quoted as SQL literals (standard_conforming_strings). */
export const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** A short, identifier-safe tag of a source; the same as migration 4's `left(md5(s), 12)`. */
const sourceTag = (source: string): string => createHash('md5').update(source).digest('hex').slice(0, 12);

/** The partition of `table` attached for `source`, if any. */
export async function attachedPartition(
  db: Sql,
  table: FeedTable,
  source: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass AND pg_get_expr(c.relpartbound, c.oid) = $2`,
    [table, `FOR VALUES IN (${quoteLiteral(source)})`],
  );
  return rows[0]?.name;
}

/** The partitions attached for `source`, by feed table: one catalog query for them all. */
export async function attachedPartitions(db: Sql, source: string): Promise<Map<FeedTable, string>> {
  const { rows } = await db.query<{ parent: FeedTable; name: string }>(
    `SELECT p.relname AS parent, c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE i.inhparent = ANY($1::regclass[]) AND pg_get_expr(c.relpartbound, c.oid) = $2`,
    [FEED_TABLES, `FOR VALUES IN (${quoteLiteral(source)})`],
  );
  return new Map(rows.map((r) => [r.parent, r.name]));
}

/** Drops staging tables of `source` left behind by an import that crashed before its swap. */
export async function dropOrphanStaging(db: Sql, source: string): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
     WHERE c.relkind = 'r' AND NOT c.relispartition AND c.relnamespace = current_schema()::regnamespace
       AND c.relname ~ $1`,
    [`^(${FEED_TABLES.join('|')})_p${sourceTag(source)}_g[0-9]+$`],
  );
  for (const r of rows) await db.exec(`DROP TABLE IF EXISTS "${r.name}"`);
}

/** The parent's index definitions, rewritten for a plain table (built after the bulk load). */
async function indexStatements(db: Sql, table: FeedTable, target: string): Promise<string[]> {
  const { rows } = await db.query<{ def: string }>(
    'SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = $1::regclass',
    [table],
  );
  return rows.map((r) =>
    r.def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ /, `CREATE $1INDEX ON "${target}" `),
  );
}

/** The staging tables of one source's import, created on first use. */
export class StagingTables {
  private readonly created = new Map<FeedTable, string>();

  private constructor(
    private readonly db: Sql,
    readonly source: string,
    private readonly generation: string,
  ) {}

  static async begin(db: Sql, source: string): Promise<StagingTables> {
    await dropOrphanStaging(db, source);
    const { rows } = await db.query<{ n: string }>("SELECT nextval('feed_partition_seq')::text AS n");
    return new StagingTables(db, source, rows[0]?.n as string);
  }

  /** The staging table for `table`, created (empty, without indexes) the first time. */
  async table(table: FeedTable): Promise<string> {
    const existing = this.created.get(table);
    if (existing) return existing;
    const name = `${table}_p${sourceTag(this.source)}_g${this.generation}`;
    // The CHECK lets ATTACH skip scanning the table to prove every row belongs to the source.
    await this.db.exec(
      `CREATE TABLE "${name}" (LIKE ${table} INCLUDING DEFAULTS);
       ALTER TABLE "${name}" ADD CHECK (source = ${quoteLiteral(this.source)})`,
    );
    this.created.set(table, name);
    return name;
  }

  staged(table: FeedTable): string | undefined {
    return this.created.get(table);
  }

  /** Builds the indexes and statistics of every staged table: once, after the bulk load. */
  async finish(): Promise<void> {
    for (const [table, name] of this.created) {
      for (const statement of await indexStatements(this.db, table, name)) await this.db.exec(statement);
      await this.db.exec(`ANALYZE "${name}" (${PLANNED_COLUMNS[table].join(', ')})`);
    }
  }

  /**
   * Inside the swap transaction: replaces whatever the source had attached with the staged
   * tables. A table this import left empty loses the source's old partition too.
   */
  async swap(tx: Sql): Promise<void> {
    const literal = quoteLiteral(this.source);
    const attached = await attachedPartitions(tx, this.source);
    for (const table of FEED_TABLES) {
      const old = attached.get(table);
      if (old) await tx.exec(`ALTER TABLE ${table} DETACH PARTITION "${old}"; DROP TABLE "${old}"`);
      const name = this.created.get(table);
      if (name) await tx.exec(`ALTER TABLE ${table} ATTACH PARTITION "${name}" FOR VALUES IN (${literal})`);
    }
  }

  async discard(): Promise<void> {
    for (const name of this.created.values()) await this.db.exec(`DROP TABLE IF EXISTS "${name}"`);
    this.created.clear();
  }
}

/**
 * Runs the swap in a short transaction. DETACH needs an exclusive lock on the parent table: it
 * waits for running reads (milliseconds) and new reads queue behind it. A short lock timeout
 * with retries keeps that queue short even when a long read (a bundle export) holds the table.
 */
export async function swapTransaction(db: Sql, fn: (tx: Sql) => Promise<void>): Promise<void> {
  const attempts = 50;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        if (db.kind === 'postgres') await tx.exec("SET LOCAL lock_timeout = '50ms'");
        await fn(tx);
      });
      return;
    } catch (err) {
      const lockTimeout = (err as { code?: string }).code === '55P03';
      if (!lockTimeout || attempt >= attempts) throw err;
      await sleep(20 * attempt);
    }
  }
}
