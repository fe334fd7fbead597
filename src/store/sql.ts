/**
 * The store's view of a database: PGlite (embedded, the default for the CLI and the demo) or
 * a PostgreSQL server through `pg`. Both speak PostgreSQL; the same SQL runs on both.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction: everything or nothing. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

export type DatabaseConfig = { kind: 'pglite'; dataDir?: string } | { kind: 'postgres'; url: string };

function wrapPglite(
  db: PGlite | Parameters<Parameters<PGlite['transaction']>[0]>[0],
  close: () => Promise<void>,
): Sql {
  return {
    kind: 'pglite',
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await db.query<T>(text, params ? [...params] : undefined);
      return { rows: result.rows };
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if (!('transaction' in db)) return fn(wrapPglite(db, close)); // already inside one
      return db.transaction((tx) => fn(wrapPglite(tx, close)));
    },
    close,
  };
}

export async function openPglite(dataDir?: string): Promise<Sql> {
  const db = dataDir ? await PGlite.create({ dataDir }) : await PGlite.create();
  return wrapPglite(db, () => db.close());
}

function wrapClient(client: pg.PoolClient): Sql {
  return {
    kind: 'postgres',
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await client.query(text, params ? [...params] : undefined);
      return { rows: result.rows as T[] };
    },
    async exec(text: string) {
      await client.query(text);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return fn(wrapClient(client)); // nested: the outer transaction already holds the client
    },
    async close() {
      client.release();
    },
  };
}

export async function openPostgres(url: string): Promise<Sql> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // Fail fast with a clear error when the server is unreachable.
  const probe = await pool.connect();
  probe.release();
  return {
    kind: 'postgres',
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await pool.query(text, params ? [...params] : undefined);
      return { rows: result.rows as T[] };
    },
    async exec(text: string) {
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrapClient(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

export function openDatabase(config: DatabaseConfig): Promise<Sql> {
  return config.kind === 'pglite' ? openPglite(config.dataDir) : openPostgres(config.url);
}
