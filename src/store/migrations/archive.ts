import type { Migration } from '../migrations.js';

/**
 * The analysis archive (ADR 0025): archived analyses per account (15), archive rules and their
 * history (16). Released: never edit, append.
 */
export const ARCHIVE_MIGRATIONS: readonly Migration[] = [
  {
    id: 15,
    name: 'archive: archived image analyses',
    // One row per account and digest. `content` is the compressed archive document (analysis,
    // evaluations, tags, annotations); the columns beside it are what listings show, so a list
    // never decompresses. Not keyed to `image` or `analysis`: the row outlives both.
    sql: `
      CREATE TABLE archived_image (
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        image_digest text NOT NULL,
        parent_digest text,
        image_id text,
        status text NOT NULL DEFAULT 'archived' CHECK (status IN ('archived', 'deleting')),
        annotations jsonb NOT NULL DEFAULT '{}',
        tags jsonb NOT NULL DEFAULT '[]',
        analyzed_at timestamptz,
        image_created_at timestamptz,
        format text NOT NULL,
        content bytea NOT NULL,
        archive_size_bytes bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_name, image_digest)
      );
    `,
  },
  {
    id: 16,
    name: 'archive: archive rules and their history',
    // A system_global rule belongs to the admin account and applies in every account; its
    // history rows carry the account they acted in, so an account reads only its own.
    sql: `
      CREATE TABLE archive_rule (
        rule_id text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        system_global boolean NOT NULL DEFAULT false,
        transition text NOT NULL CHECK (transition IN ('archive', 'delete')),
        analysis_age_days integer NOT NULL DEFAULT 0,
        tag_versions_newer integer NOT NULL DEFAULT 0,
        selector jsonb NOT NULL,
        exclude jsonb,
        max_images_per_account integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX archive_rule_by_account ON archive_rule (account_name);
      CREATE TABLE archive_rule_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        rule_id text NOT NULL REFERENCES archive_rule (rule_id) ON DELETE CASCADE,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        image_digest text NOT NULL,
        transition text NOT NULL,
        status text NOT NULL,
        detail text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX archive_rule_history_by_rule ON archive_rule_history (rule_id, account_name, id);
    `,
  },
];
