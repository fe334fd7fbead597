import type { Migration } from '../migrations.js';

/** How policy evaluations are stored (ADR 0031). Released: never edit, append. */
export const EVALUATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 17,
    name: 'policy evaluations: bundle documents stored once',
    // Each evaluation's result held the whole bundle document, and the Anchore rows beside the
    // decision they are rendered from: 7–14 kB a row, thousands per feed sync. A bundle document
    // is now stored once, keyed by the sha256 of its jsonb text, and an evaluation refers to it;
    // its rows are rendered again on read (evaluation-layout.ts). Rows without a digest (all
    // rows written before) hold the whole document and are read as they are.
    sql: `
      CREATE TABLE policy_document (
        digest text PRIMARY KEY,
        document jsonb NOT NULL
      );
      ALTER TABLE policy_evaluation ADD COLUMN policy_digest text REFERENCES policy_document (digest);
    `,
  },
];
