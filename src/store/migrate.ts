import { PortcullisError } from '../core/errors.js';
import { withAdvisoryLock } from './advisory-lock.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { Sql } from './sql.js';

/**
 * Applies pending migrations in order, each in its own transaction. Returns the ids applied.
 * Runs under an advisory lock: processes starting together against one server take turns, and
 * the later ones find the schema already current instead of failing on a duplicate key.
 */
export function migrate(db: Sql, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return withAdvisoryLock(db, 'migrate', (session) => migrateLocked(session, migrations));
}

async function migrateLocked(db: Sql, migrations: readonly Migration[]): Promise<number[]> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migration (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const { rows } = await db.query<{ id: number }>('SELECT id FROM schema_migration ORDER BY id');
  const applied = new Set(rows.map((r) => Number(r.id)));
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((m) => m.id));
  if (newest > known) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      `the database schema is at version ${newest}, newer than this Portcullis (${known}); upgrade Portcullis`,
    );
  }
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    if (applied.has(m.id)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migration (id, name) VALUES ($1, $2)', [m.id, m.name]);
    });
    done.push(m.id);
  }
  return done;
}
