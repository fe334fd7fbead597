import type { Migration } from '../migrations.js';

/** The admission webhook's exceptions and audit (30). Released: never edit, append. */
export const ADMISSION_MIGRATIONS: readonly Migration[] = [
  {
    id: 30,
    name: 'admission: exceptions and audit',
    // Audit rows keep images, reasons and the exception as JSON: they are read back whole and
    // filtered only by the indexed columns (the image filter scans one account's time window).
    sql: `
      CREATE TABLE admission_exception (
        id text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        release text NOT NULL,
        namespace text,
        creator text NOT NULL,
        reason text NOT NULL,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX admission_exception_by_release ON admission_exception (account_name, release);
      CREATE TABLE admission_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        decided_at timestamptz NOT NULL,
        cluster text NOT NULL,
        uid text NOT NULL,
        namespace text NOT NULL,
        operation text NOT NULL,
        kind text NOT NULL,
        name text NOT NULL,
        release text,
        username text NOT NULL,
        allowed boolean NOT NULL,
        verdict text NOT NULL CHECK (verdict IN ('allowed', 'denied', 'warned')),
        mode text NOT NULL,
        dry_run boolean NOT NULL,
        stale boolean NOT NULL,
        images jsonb NOT NULL,
        reasons jsonb NOT NULL,
        exception jsonb
      );
      CREATE INDEX admission_audit_by_time ON admission_audit (account_name, decided_at DESC, id DESC);
    `,
  },
];
