import type { Migration } from '../migrations.js';

/** Scan-gated promotion's rules and audit (50–59). Released: never edit, append. */
export const PROMOTION_MIGRATIONS: readonly Migration[] = [
  {
    id: 50,
    name: 'promotion: rules and audit records',
    // A rule's shape lives in the promotion core, so it is kept whole as JSON; the columns are
    // what lookups filter on. Audit records copy the rule as it was and outlive it (no foreign
    // key to the rule); a trigger refuses every UPDATE, so a record is never rewritten.
    sql: `
      CREATE TABLE promotion_rule (
        id text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        name text NOT NULL,
        enabled boolean NOT NULL,
        source_registry text NOT NULL,
        spec jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX promotion_rule_by_account ON promotion_rule (account_name, created_at);
      CREATE INDEX promotion_rule_by_source ON promotion_rule (source_registry) WHERE enabled;
      CREATE TABLE promotion_record (
        id text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        job_id text UNIQUE,
        rule_id text NOT NULL,
        rule jsonb NOT NULL,
        source_registry text NOT NULL,
        source_repository text NOT NULL,
        source_tag text,
        source_digest text NOT NULL,
        destination_registry text NOT NULL,
        destination_repository text NOT NULL,
        destination_tags text[] NOT NULL,
        destination_digest text,
        policy_id text,
        policy_digest text,
        verdict text CHECK (verdict IN ('pass', 'fail')),
        outcome text NOT NULL CHECK (outcome IN ('promoted', 'rejected', 'quarantined', 'failed', 'recheck_failed', 'recheck_passed')),
        reasons jsonb NOT NULL,
        trigger jsonb NOT NULL,
        steps jsonb NOT NULL,
        report jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX promotion_record_by_time ON promotion_record (account_name, created_at DESC, id DESC);
      CREATE INDEX promotion_record_by_digest ON promotion_record (source_digest) WHERE outcome = 'promoted';
      CREATE FUNCTION promotion_record_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'promotion records are immutable';
      END;
      $$;
      CREATE TRIGGER promotion_record_no_update BEFORE UPDATE ON promotion_record
        FOR EACH ROW EXECUTE FUNCTION promotion_record_immutable();
    `,
  },
  {
    id: 51,
    name: 'promotion: audit records refuse DELETE too',
    // An auditor must be able to trust that no decision was taken back. The one way a record
    // goes is with its account: the account's erase sets portcullis.erasing_account for its
    // own transaction, and only that account's rows may then go (by the cascade).
    sql: `
      CREATE FUNCTION promotion_record_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('portcullis.erasing_account', true) = OLD.account_name THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'promotion records are immutable';
      END;
      $$;
      CREATE TRIGGER promotion_record_no_delete BEFORE DELETE ON promotion_record
        FOR EACH ROW EXECUTE FUNCTION promotion_record_no_delete();
    `,
  },
];
