import type { Migration } from '../migrations.js';

/** Continuous monitoring's outbox (20) and sealed endpoints (21). Released: never edit, append. */
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
];
