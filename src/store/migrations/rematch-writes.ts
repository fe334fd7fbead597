import type { Migration } from '../migrations.js';

/**
 * What the re-match after a feed sync writes per image (issue 13, ADR 0034). Released: never
 * edit, append.
 */
export const REMATCH_WRITES_MIGRATIONS: readonly Migration[] = [
  {
    id: 26,
    name: 'policy evaluations: results compressed with lz4 where the server has it',
    // A compact evaluation row is still 3–8 kB of jsonb, over the 2 kB at which PostgreSQL
    // compresses a value; its default (pglz) was most of the insert's time when the re-match
    // writes thousands. lz4 compresses several times faster. Only new values are compressed the
    // new way (no rewrite); both read the same. A server built without lz4 (PGlite is one)
    // keeps pglz: the error is caught, nothing else changes.
    sql: `
      DO $$
      BEGIN
        ALTER TABLE policy_evaluation ALTER COLUMN result SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        NULL;
      END
      $$;
    `,
  },
];
