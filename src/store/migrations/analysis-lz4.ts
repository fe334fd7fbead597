import type { Migration } from '../migrations.js';

/**
 * How an analysis's documents are compressed (issue 13, ADR 0042). Released: never edit, append.
 */
export const ANALYSIS_LZ4_MIGRATIONS: readonly Migration[] = [
  {
    id: 73,
    name: 'analyses: findings, SBOM and metadata compressed with lz4 where the server has it',
    // A stored finding list is 3–10 kB of JSON and an SBOM tens of kB: both are compressed.
    // With pglz, compressing the findings was about half of the re-match's findings UPDATE, and
    // decompressing SBOMs a large part of its chunk read; lz4 does both several times faster
    // and stored the fleet's analyses in less space. Only new values are compressed the new
    // way (a re-match rewrites the findings; SBOMs stay as they are until re-analysed); both
    // read the same. A server built without lz4 (PGlite is one) keeps pglz: the error is
    // caught, nothing else changes (as migration 26).
    sql: `
      DO $$
      BEGIN
        ALTER TABLE analysis
          ALTER COLUMN findings SET COMPRESSION lz4,
          ALTER COLUMN sbom SET COMPRESSION lz4,
          ALTER COLUMN metadata SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        NULL;
      END
      $$;
    `,
  },
];
