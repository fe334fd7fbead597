import type { Migration } from '../migrations.js';

/** The Harbor scanner adapter's scan requests (70). Released: never edit, append. */
export const HARBOR_MIGRATIONS: readonly Migration[] = [
  {
    id: 70,
    name: 'harbor: scan requests',
    // One row per Harbor scan request. `authorization` holds Harbor's pull credential sealed
    // (AES-GCM, bound to the row id) only while the scan's job may still run: it is set to
    // NULL when the job ends, whatever the outcome. Findings are not copied here: the report
    // is built from the analysis shared by digest, so re-matches after a feed sync show.
    sql: `
      CREATE TABLE harbor_scan (
        id text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        registry_url text NOT NULL,
        repository text NOT NULL,
        digest text NOT NULL,
        tag text,
        mime_type text NOT NULL,
        insecure boolean NOT NULL,
        authorization_sealed text,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        error text,
        started_at timestamptz,
        finished_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX harbor_scan_by_created ON harbor_scan (created_at);
    `,
  },
];
