/**
 * Opens the embedded (PGlite) database for one process at a time. PGlite does not stop a second
 * process from opening the same directory, and two writers lose each other's committed rows, so
 * the directory is guarded by an exclusive lock. Two CLI runs sharing a cache directory (parallel
 * CI jobs on one runner) wait for each other; the service fails fast instead.
 *
 * The lock is proper-lockfile's: an atomic mkdir of `<dataDir>.lock` whose time the holder
 * refreshes. Liveness by refreshed time, rather than an O_EXCL file holding a pid, also works
 * when the cache directory is shared between containers, where another process's pid means
 * nothing; a holder that crashed is taken over once its lock is `STALE_MS` old.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { PortcullisError } from '../core/errors.js';
import { openDatabase, openPglite, type DatabaseConfig, type Sql } from './sql.js';

/**
 * A lock older than this is a crashed holder's. Generous, because PGlite runs each statement
 * synchronously: a live holder cannot refresh its lock during a long statement.
 */
const STALE_MS = 30_000;
const POLL_MS = 200;

export type EmbeddedLockPolicy =
  /** Wait up to `timeoutMs` for the other process; `onWait` is told once that we are waiting. */
  | { mode: 'wait'; timeoutMs: number; onWait?: (message: string) => void }
  /** Fail at once when another process holds the database (the service). */
  | { mode: 'fail' };

function lockedError(dataDir: string, waitedMs?: number): PortcullisError {
  const waited = waitedMs === undefined ? '' : ` (waited ${Math.round(waitedMs / 1000)} s)`;
  return new PortcullisError(
    'DATABASE_LOCKED',
    `the embedded database ${dataDir} is in use by another Portcullis process${waited}; ` +
      'wait for it to finish, use another --cache-dir, or a PostgreSQL server (--db-url)',
    { details: { path: dataDir } },
  );
}

async function acquire(dataDir: string, policy: EmbeddedLockPolicy): Promise<() => Promise<void>> {
  await mkdir(dirname(dataDir), { recursive: true });
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      return await lockfile.lock(dataDir, { realpath: false, stale: STALE_MS, retries: 0 });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    }
    if (policy.mode === 'fail') throw lockedError(dataDir);
    const waited = Date.now() - started;
    if (waited >= policy.timeoutMs) throw lockedError(dataDir, waited);
    if (!told) {
      told = true;
      policy.onWait?.(
        `waiting for another Portcullis process to release the embedded database ${dataDir} (up to ${Math.round(policy.timeoutMs / 1000)} s)`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** The embedded database in `dataDir`, held exclusively until `close()`. */
export async function openEmbedded(dataDir: string, policy: EmbeddedLockPolicy): Promise<Sql> {
  const release = await acquire(dataDir, policy);
  let db: Sql;
  try {
    db = await openPglite(dataDir);
  } catch (err) {
    await release();
    throw err;
  }
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        await release();
      }
    },
  };
}

/** `openDatabase`, with the embedded database's directory locked by `policy`. */
export function openLockedDatabase(config: DatabaseConfig, policy: EmbeddedLockPolicy): Promise<Sql> {
  return config.kind === 'pglite' && config.dataDir
    ? openEmbedded(config.dataDir, policy)
    : openDatabase(config);
}
