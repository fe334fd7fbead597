/**
 * Session-level PostgreSQL advisory locks: several processes (CLI runs, service workers) share
 * one server, and some steps (migrations, replacing one feed) must run one at a time across all
 * of them. The lock is held by one dedicated connection and released however `fn` ends.
 */
import { createHash } from 'node:crypto';
import type { Sql } from './sql.js';

/** A stable signed 64-bit key for a lock name (pg_advisory_lock takes a bigint). */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(`portcullis:${name}`).digest().readBigInt64BE(0).toString();
}

export async function withAdvisoryLock<T>(
  db: Sql,
  name: string,
  fn: (session: Sql) => Promise<T>,
): Promise<T> {
  const key = advisoryLockKey(name);
  return db.session(async (session) => {
    await session.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      return await fn(session);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    }
  });
}
