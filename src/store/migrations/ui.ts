import type { Migration } from '../migrations.js';

/** The web UI's sessions (60) and the indexes and counts its tables sort on (61). Released: append. */
export const UI_MIGRATIONS: readonly Migration[] = [
  {
    id: 60,
    name: 'ui: server-side sessions',
    // Only a hash of the session id is stored, so a read of the table cannot take over a session.
    // The CSRF token is bound to the session row (synchronizer token).
    sql: `
      CREATE TABLE ui_session (
        id_hash text PRIMARY KEY,
        username text NOT NULL REFERENCES account_user (username) ON DELETE CASCADE,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX ui_session_by_expiry ON ui_session (expires_at);
    `,
  },
  {
    id: 61,
    name: 'ui: finding counts per analysis, image table indexes',
    // The images table sorts and filters 10,000 images per account on counts that live inside
    // the findings JSON: a stored generated column keeps them beside it, whoever writes it.
    sql: `
      CREATE FUNCTION ui_finding_counts(findings jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT jsonb_build_object(
          'critical', count(*) FILTER (WHERE f->>'severity' = 'Critical'),
          'high', count(*) FILTER (WHERE f->>'severity' = 'High'),
          'medium', count(*) FILTER (WHERE f->>'severity' = 'Medium'),
          'low', count(*) FILTER (WHERE f->>'severity' IN ('Low', 'Negligible')),
          'unknown', count(*) FILTER (WHERE f->>'severity' = 'Unknown' OR f->>'severity' IS NULL),
          'fixable', count(*) FILTER (WHERE f->>'fixState' = 'fixed'),
          'kev', count(*) FILTER (WHERE f ? 'kev'),
          'total', count(*))
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(findings) = 'array' THEN findings ELSE '[]'::jsonb END) f
        WHERE NOT f ? 'suppressed'
      $$;
      ALTER TABLE analysis ADD COLUMN finding_counts jsonb GENERATED ALWAYS AS (ui_finding_counts(findings)) STORED;
      CREATE INDEX image_by_account_analyzed ON image (account_name, analyzed_at DESC NULLS LAST, image_digest);
      CREATE INDEX policy_evaluation_newest ON policy_evaluation (account_name, image_digest, created_at DESC);
    `,
  },
];
