import type { Migration } from '../migrations.js';

/**
 * Basic auth and TLS verification per notification endpoint (41), as Anchore Engine's
 * `webhooks:` section had them (`webhook_user`, `webhook_pass`, `ssl_verify`). Released: never
 * edit, append.
 */
export const WEBHOOK_AUTH_MIGRATIONS: readonly Migration[] = [
  {
    id: 41,
    name: 'monitoring: basic auth and TLS verification per notification endpoint',
    // webhook_pass is a SecretBox ciphertext bound to the row's account and type (the key is
    // not known here); the user name is kept in clear so listings can say which one is used.
    // A user never comes without a password, neither on a Slack sink (Slack takes none), nor
    // with a ':' (basic auth separates the two with it). Rows stored before this migration get
    // no credentials and verified TLS, as they were delivered until now.
    sql: `
      ALTER TABLE notification_endpoint ADD COLUMN webhook_user text;
      ALTER TABLE notification_endpoint ADD COLUMN webhook_pass text;
      ALTER TABLE notification_endpoint ADD COLUMN ssl_verify boolean NOT NULL DEFAULT true;
      ALTER TABLE notification_endpoint ADD CONSTRAINT notification_endpoint_basic_auth CHECK (
        (webhook_user IS NULL) = (webhook_pass IS NULL)
        AND (webhook_user IS NULL OR (sink = 'webhook' AND strpos(webhook_user, ':') = 0))
      );
    `,
  },
];
