import type { Migration } from '../migrations.js';

/**
 * How a queued notification's payload is compressed (issue 13, ADR 0043). Released: never
 * edit, append.
 */
export const NOTIFICATION_LZ4_MIGRATIONS: readonly Migration[] = [
  {
    id: 74,
    name: 'notifications: payloads compressed with lz4 where the server has it',
    // A `vuln_update` payload lists the changed findings as Anchore rows, 1–8 kB of jsonb, so
    // most payloads are compressed. With pglz, the re-match's notification insert was its
    // second most expensive statement (1.9 s of server time for 10,000 images); with lz4 it
    // took 1.2 s. Only new payloads are compressed the new way (no rewrite); both read the
    // same. A server built without lz4 (PGlite is one) keeps pglz: the error is caught,
    // nothing else changes (as migrations 26 and 73).
    sql: `
      DO $$
      BEGIN
        ALTER TABLE notification ALTER COLUMN payload SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        NULL;
      END
      $$;
    `,
  },
];
