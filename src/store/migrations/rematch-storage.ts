import type { Migration } from '../migrations.js';

/**
 * How the re-match after a feed sync stores its findings (issue 13, ADR 0033). Released: never
 * edit, append.
 */
export const REMATCH_STORAGE_MIGRATIONS: readonly Migration[] = [
  {
    // After 61, which adds the column: on a fresh database the migrations run in id order.
    id: 62,
    name: 're-match: finding counts written with the findings',
    // The database computed the counts from the findings JSON on every write of a row, about
    // half the cost of the re-match's findings update; the writers now pass them (computed by
    // finding-counts.ts) and the column keeps what it holds. NOT NULL: a writer that forgets them
    // fails at once instead of leaving an image the UI cannot sort. ui_finding_counts stays: it
    // is the definition the writers follow, checked by finding-counts.test.ts.
    sql: `
      ALTER TABLE analysis ALTER COLUMN finding_counts DROP EXPRESSION;
      ALTER TABLE analysis ALTER COLUMN finding_counts SET NOT NULL;
    `,
  },
];
