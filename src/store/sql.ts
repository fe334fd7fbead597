/**
 * The store's view of a database: PGlite (embedded, the default for the CLI and the demo) or
 * a PostgreSQL server through `pg`. Both speak PostgreSQL; the same SQL runs on both.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PortcullisError } from '../core/errors.js';
import { createMemoryPglite } from './pglite-template.js';
import { WriteClock } from './write-clock.js';

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction: everything or nothing. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one dedicated connection, outside any transaction: what session-level state
   * (advisory locks) needs. PGlite has a single connection, so it is the database itself.
   */
  session<T>(fn: (session: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
  /** Present when this handle sees every write of its database (the embedded store). */
  readonly writes?: WriteClock;
  /** The connections of this handle's pool, for metrics (absent on transaction handles). */
  poolStats?(): PoolStats;
}

/**
 * A server pool's clients (pg.Pool's totalCount, idleCount, waitingCount). PGlite is one
 * connection that runs one call at a time: total 1, idle 1 when no call runs, waiting = the
 * calls queued behind the running one.
 */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Connections a server pool opens at most when none is configured. */
export const DEFAULT_POOL_SIZE = 4;

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir?: string }
  | { kind: 'postgres'; url: string; /** Connections at most (default 4). */ poolSize?: number };

type PgliteTx = Parameters<Parameters<PGlite['transaction']>[0]>[0];

function wrapPglite(db: PGlite | PgliteTx, close: () => Promise<void>, writes: WriteClock): Sql {
  // Calls made on the database itself (a transaction's statements run inside its one call).
  let calls = 0;
  const counted = async <T>(fn: () => Promise<T>): Promise<T> => {
    calls++;
    try {
      return await fn();
    } finally {
      calls--;
    }
  };
  const top = 'transaction' in db;
  const self: Sql = {
    kind: 'pglite',
    writes,
    async query<T>(text: string, params?: readonly unknown[]) {
      const run = () => counted(() => db.query<T>(text, params ? [...params] : undefined));
      const result = await (WriteClock.mayWrite(text) ? writes.around(run) : run());
      return { rows: result.rows };
    },
    async exec(text: string) {
      await writes.around(() => counted(() => db.exec(text)));
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if (!top) return fn(self); // already inside one
      // The whole transaction counts as one write, ended once it committed or rolled back.
      return writes.around(() => counted(() => db.transaction((tx) => fn(wrapPglite(tx, close, writes)))));
    },
    session: (fn) => fn(self),
    close,
    ...(top
      ? { poolStats: () => ({ total: 1, idle: calls === 0 ? 1 : 0, waiting: Math.max(0, calls - 1) }) }
      : {}),
  };
  return self;
}

export async function openPglite(dataDir?: string): Promise<Sql> {
  const db = dataDir ? await PGlite.create({ dataDir }) : await createMemoryPglite();
  return wrapPglite(db, () => db.close(), new WriteClock());
}

/** One pooled connection; `inTransaction` when an outer BEGIN already holds it. */
function wrapClient(client: pg.PoolClient, inTransaction: boolean): Sql {
  const self: Sql = {
    kind: 'postgres',
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await client.query(text, params ? [...params] : undefined);
      return { rows: result.rows as T[] };
    },
    async exec(text: string) {
      await client.query(text);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(self);
      await client.query('BEGIN');
      try {
        const out = await fn(wrapClient(client, true));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
    session: (fn) => fn(self),
    async close() {
      client.release();
    },
  };
  return self;
}

export async function openPostgres(url: string, poolSize = DEFAULT_POOL_SIZE): Promise<Sql> {
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      `database pool size must be a positive integer, got ${poolSize}`,
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client whose connection dropped (server restart, terminated backend) is removed by
  // the pool, which then emits 'error': unhandled, that would end the process. The next query
  // opens a new connection, and any error of that reaches its caller.
  pool.on('error', () => undefined);
  // Fail fast with a clear error when the server is unreachable.
  const probe = await pool.connect();
  probe.release();
  const onClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  };
  return {
    kind: 'postgres',
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await pool.query(text, params ? [...params] : undefined);
      return { rows: result.rows as T[] };
    },
    async exec(text: string) {
      await pool.query(text);
    },
    transaction: (fn) => onClient((client) => wrapClient(client, false).transaction(fn)),
    session: (fn) => onClient((client) => fn(wrapClient(client, false))),
    close: () => pool.end(),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

export function openDatabase(config: DatabaseConfig): Promise<Sql> {
  return config.kind === 'pglite' ? openPglite(config.dataDir) : openPostgres(config.url, config.poolSize);
}
