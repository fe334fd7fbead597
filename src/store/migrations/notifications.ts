import type { Migration } from '../migrations.js';

/**
 * Continuous monitoring's outbox (20), sealed endpoints (21), the push hand-off and repository
 * watch state of the watchers (22, 23). Released: never edit, append.
 */
export const NOTIFICATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 20,
    name: 'monitoring: notification endpoints and outbox',
    // One outbox row per notification; a stream (one subscription) is delivered in seq order.
    // Attempts are kept so an operator can see why a receiver missed something.
    sql: `
      CREATE TABLE notification_endpoint (
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        notification_type text NOT NULL,
        sink text NOT NULL CHECK (sink IN ('webhook', 'slack')),
        url text NOT NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_name, notification_type)
      );
      CREATE TABLE notification (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        notification_type text NOT NULL,
        stream text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'expired')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz,
        deadline timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      );
      CREATE INDEX notification_open ON notification (account_name, stream, seq)
        WHERE state IN ('pending', 'sending');
      CREATE TABLE notification_attempt (
        notification_id text NOT NULL REFERENCES notification (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        url text NOT NULL,
        status integer,
        error text,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (notification_id, attempt)
      );
    `,
  },
  {
    id: 21,
    name: 'monitoring: endpoint URLs and secrets sealed at rest',
    // url and secret become SecretBox ciphertexts (the key is not known here: rows stored
    // before this migration stay in clear with sealed = false until the service seals them on
    // start); url_shown is the shortened URL that listings and attempts show.
    sql: `
      ALTER TABLE notification_endpoint ADD COLUMN url_shown text;
      ALTER TABLE notification_endpoint ADD COLUMN sealed boolean NOT NULL DEFAULT false;
    `,
  },
  {
    id: 22,
    name: 'monitoring: one hand-off of each tag move to the promotion rules',
    // The digest a tag was last handed to the promotion rules at, by a registry notification or
    // a watcher's poll, whichever saw it first; a claim holds a lease so a crashed hand-off is
    // retried, and a finished one is never repeated. (Not seeded from promotion_record: that
    // table comes with migration 50, after this one on a new database.)
    // The event_log endpoint's level (events at or above it are forwarded).
    sql: `
      CREATE TABLE push_handoff (
        registry text NOT NULL,
        repo text NOT NULL,
        tag text NOT NULL,
        digest text NOT NULL,
        seen_by text NOT NULL,
        claimed_until timestamptz NOT NULL,
        handed_at timestamptz,
        PRIMARY KEY (registry, repo, tag)
      );
      ALTER TABLE notification_endpoint ADD COLUMN min_level text
        CHECK (min_level IS NULL OR min_level IN ('info', 'error'));
    `,
  },
  {
    id: 23,
    name: 'monitoring: repository watch state',
    // What the last listing of a watched repository found, or why it failed, for the operator.
    sql: `
      CREATE TABLE repository_watch (
        registry text NOT NULL,
        repo text NOT NULL,
        last_polled_at timestamptz NOT NULL,
        last_error text,
        tag_count integer,
        PRIMARY KEY (registry, repo)
      );
    `,
  },
];
