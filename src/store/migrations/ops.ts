import type { Migration } from '../migrations.js';

/** Service operations (40–49). Released: never edit, append. */
export const OPS_MIGRATIONS: readonly Migration[] = [
  {
    id: 40,
    name: 'ops: findings revision per analysis',
    // Every write of an analysis's findings (first save, re-match after a feed sync, forced
    // re-analysis) takes a new value from one sequence, so an API process can key a rendered
    // response by (digest, revision) and never serve one older than the stored findings; a
    // revision is never reused, even after an analysis is deleted and stored again.
    sql: `
      CREATE SEQUENCE analysis_findings_rev;
      ALTER TABLE analysis ADD COLUMN findings_rev bigint NOT NULL DEFAULT nextval('analysis_findings_rev');
    `,
  },
];
