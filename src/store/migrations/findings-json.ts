import type { Migration } from '../migrations.js';

/**
 * How an analysis's findings are stored (issue 13, ADR 0041). Released: never edit, append.
 */
export const FINDINGS_JSON_MIGRATIONS: readonly Migration[] = [
  {
    id: 72,
    name: 're-match: findings stored as the JSON text written',
    // No query looks inside the findings but the portfolio's KEV list (it casts): the search
    // routes read the index rows. As jsonb, every read rendered them to text again (about a
    // sixth of the re-match's chunk read) and every splice of kept findings rebuilt a jsonb
    // tree; as json they are read as stored and spliced as text. The text is what the writer
    // sent, so a finding reads back with its keys in the writer's order.
    sql: `ALTER TABLE analysis ALTER COLUMN findings TYPE json USING findings::json;`,
  },
];
