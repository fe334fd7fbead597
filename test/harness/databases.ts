/**
 * The two stores every service test runs on: embedded PGlite and a private PostgreSQL 15
 * server. Each `open()` gives a fresh, migrated database; `stop()` removes it.
 */
import { migrate } from '../../src/store/migrate.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js';
import { openPglite, openPostgres, type Sql } from '../../src/store/sql.js';
import { startPostgres, type PostgresServer } from './postgres.js';

export interface TestDatabase {
  db: Sql;
  /** Connection URL for other processes (PostgreSQL only). */
  url?: string;
  stop(): Promise<void>;
}

export type StoreKind = 'PGlite' | 'PostgreSQL 15';

export const STORE_KINDS: readonly StoreKind[] = ['PGlite', 'PostgreSQL 15'];

let server: Promise<PostgresServer> | undefined;
let databases = 0;

/** One server per test file, one database per `openTestDatabase` call. */
async function sharedServer(): Promise<PostgresServer> {
  server ??= startPostgres();
  return server;
}

export async function stopSharedPostgres(): Promise<void> {
  if (server) await (await server).stop();
  server = undefined;
}

/** A fresh database migrated by `migrations` (all of them unless told: a migration test stops earlier). */
export async function openTestDatabase(
  kind: StoreKind,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<TestDatabase> {
  if (kind === 'PGlite') {
    const db = await openPglite();
    await migrate(db, migrations);
    return { db, stop: () => db.close() };
  }
  const pg = await sharedServer();
  const admin = await openPostgres(pg.url);
  const name = `t${process.pid}_${++databases}`;
  await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = pg.url.replace(/\/postgres$/, `/${name}`);
  const db = await openPostgres(url);
  await migrate(db, migrations);
  return { db, url, stop: () => db.close() };
}
