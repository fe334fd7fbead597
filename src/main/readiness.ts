import { MIGRATIONS } from '../store/migrations.js';
import type { Sql } from '../store/sql.js';

/** The schema version this Portcullis expects (its newest migration). */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.id));

/**
 * Readiness of an API or worker process: the database answers and its schema carries every
 * migration this version knows. An unreachable database is "not ready", not an error.
 */
export function databaseReady(db: Sql): () => Promise<boolean> {
  return async () => {
    try {
      const { rows } = await db.query<{ newest: number | null }>(
        'SELECT max(id) AS newest FROM schema_migration',
      );
      return Number(rows[0]?.newest ?? 0) >= SCHEMA_VERSION;
    } catch {
      return false;
    }
  };
}
