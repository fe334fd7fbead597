import type { Migration } from '../migrations.js';

/**
 * The service's aggregates (10), its job queue (11), event order (12), the query index (13),
 * push events and watcher state (14). Released: never edit, append.
 */
export const SERVICE_MIGRATIONS: readonly Migration[] = [
  {
    id: 10,
    name: 'service: accounts, users, tokens, images, analyses, policies, registries, events',
    // Tenancy: everything an account owns carries account_name; analyses are keyed by image
    // digest alone and shared, because the same bytes give the same SBOM in every account.
    sql: `
      CREATE TABLE account (
        name text PRIMARY KEY,
        email text,
        type text NOT NULL CHECK (type IN ('user', 'admin', 'service')),
        state text NOT NULL DEFAULT 'enabled' CHECK (state IN ('enabled', 'disabled', 'deleting')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE account_user (
        username text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        type text NOT NULL DEFAULT 'native' CHECK (type IN ('native', 'internal', 'external')),
        source text,
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX account_user_by_account ON account_user (account_name);
      CREATE TABLE api_token (
        id text PRIMARY KEY,
        username text NOT NULL REFERENCES account_user (username) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX api_token_by_user ON api_token (username);
      CREATE TABLE analysis (
        image_digest text PRIMARY KEY,
        image_id text NOT NULL,
        analyzer_version text NOT NULL,
        metadata jsonb NOT NULL,
        sbom jsonb NOT NULL,
        findings jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE image (
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        image_digest text NOT NULL,
        parent_digest text,
        image_type text NOT NULL DEFAULT 'docker',
        analysis_status text NOT NULL
          CHECK (analysis_status IN ('not_analyzed', 'analysis_queued', 'analyzing', 'analyzed', 'analysis_failed')),
        analysis_error text,
        image_status text NOT NULL DEFAULT 'active'
          CHECK (image_status IN ('active', 'inactive', 'disabled', 'deleting')),
        annotations jsonb NOT NULL DEFAULT '{}',
        dockerfile text,
        analyzed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_name, image_digest)
      );
      CREATE INDEX image_by_digest ON image (image_digest);
      CREATE TABLE image_tag (
        account_name text NOT NULL,
        image_digest text NOT NULL,
        registry text NOT NULL,
        repo text NOT NULL,
        tag text NOT NULL,
        pull_digest text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now(),
        tag_detected_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_name, image_digest, registry, repo, tag),
        FOREIGN KEY (account_name, image_digest) REFERENCES image (account_name, image_digest) ON DELETE CASCADE
      );
      CREATE INDEX image_tag_by_fulltag ON image_tag (account_name, registry, repo, tag);
      CREATE TABLE policy_bundle (
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        policy_id text NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        source text NOT NULL DEFAULT 'local',
        bundle jsonb NOT NULL,
        active boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_name, policy_id)
      );
      CREATE UNIQUE INDEX policy_bundle_one_active ON policy_bundle (account_name) WHERE active;
      CREATE TABLE policy_evaluation (
        account_name text NOT NULL,
        image_digest text NOT NULL,
        tag text NOT NULL,
        policy_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pass', 'fail')),
        final_action text NOT NULL,
        result jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (account_name, image_digest) REFERENCES image (account_name, image_digest) ON DELETE CASCADE
      );
      CREATE INDEX policy_evaluation_by_image ON policy_evaluation (account_name, image_digest, tag, created_at DESC);
      CREATE TABLE registry_credential (
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        registry text NOT NULL,
        registry_name text NOT NULL,
        registry_user text NOT NULL,
        registry_type text NOT NULL,
        registry_verify boolean NOT NULL DEFAULT true,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_name, registry)
      );
      CREATE TABLE subscription (
        id text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        subscription_type text NOT NULL,
        subscription_key text NOT NULL,
        subscription_value text,
        active boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_updated timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_name, subscription_type, subscription_key)
      );
      CREATE TABLE event (
        id text PRIMARY KEY,
        account_name text NOT NULL REFERENCES account (name) ON DELETE CASCADE,
        type text NOT NULL,
        level text NOT NULL CHECK (level IN ('info', 'error')),
        category text NOT NULL DEFAULT 'user',
        message text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        resource_type text NOT NULL,
        resource_id text NOT NULL,
        source_service text NOT NULL,
        source_host text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX event_by_account ON event (account_name, created_at DESC);
    `,
  },
  {
    id: 11,
    name: 'service: job queue',
    // A lease table (ADR 0010): workers claim with FOR UPDATE SKIP LOCKED; a running job whose
    // lease expired is taken again, so a killed worker's job runs on another one.
    sql: `
      CREATE TABLE job (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
        singleton_key text,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        run_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_expires_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE INDEX job_ready ON job (run_at, id) WHERE state = 'queued';
      CREATE INDEX job_leased ON job (lease_expires_at) WHERE state = 'running';
      CREATE UNIQUE INDEX job_singleton ON job (kind, singleton_key)
        WHERE singleton_key IS NOT NULL AND state IN ('queued', 'running');
    `,
  },
  {
    id: 12,
    name: 'events in insertion order',
    // Events written in the same millisecond tie on created_at: a sequence orders them as written.
    sql: `ALTER TABLE event ADD COLUMN seq bigserial;`,
  },
  {
    id: 13,
    name: 'monitoring: package and finding index per analysed image',
    // What /v1/query/* and the re-match after a feed sync search, one row per package, finding
    // and lookup key of each stored analysis (shared by digest like the analysis; rows go with
    // it). Written by image-index.ts in the transaction that writes the analysis or its
    // findings; analyses stored before this migration are indexed by indexMissing().
    sql: `
      ALTER TABLE analysis ADD COLUMN index_version integer;
      CREATE TABLE image_package (
        image_digest text NOT NULL REFERENCES analysis (image_digest) ON DELETE CASCADE,
        name text NOT NULL,
        version text NOT NULL,
        type text NOT NULL,
        purl text NOT NULL,
        source_name text,
        location text,
        origin_layer text,
        from_base boolean
      );
      CREATE INDEX image_package_by_name ON image_package (name, type, version);
      CREATE INDEX image_package_by_purl ON image_package (purl text_pattern_ops);
      CREATE INDEX image_package_by_digest ON image_package (image_digest);
      CREATE TABLE image_finding (
        image_digest text NOT NULL REFERENCES analysis (image_digest) ON DELETE CASCADE,
        vulnerability_id text NOT NULL,
        ids text[] NOT NULL,
        namespace text NOT NULL,
        package_name text NOT NULL,
        package_version text NOT NULL,
        package_type text NOT NULL,
        package_path text,
        severity text NOT NULL,
        fix text NOT NULL,
        will_not_fix boolean NOT NULL,
        suppressed boolean NOT NULL,
        origin text NOT NULL,
        origin_layer text
      );
      CREATE INDEX image_finding_by_id ON image_finding USING gin (ids);
      CREATE INDEX image_finding_by_package ON image_finding (package_name);
      CREATE INDEX image_finding_by_digest ON image_finding (image_digest);
      CREATE TABLE image_lookup_key (
        image_digest text NOT NULL REFERENCES analysis (image_digest) ON DELETE CASCADE,
        namespace text NOT NULL,
        package_name text NOT NULL,
        PRIMARY KEY (namespace, package_name, image_digest)
      );
      CREATE INDEX image_lookup_key_by_digest ON image_lookup_key (image_digest);
    `,
  },
  {
    id: 14,
    name: 'monitoring: registry push events and watcher state',
    // Push notifications are accepted once per event id (registries retry); the watchers keep
    // per-registry backoff so one unreachable registry does not slow the others.
    sql: `
      CREATE TABLE registry_push_event (
        id text PRIMARY KEY,
        registry text NOT NULL,
        repository text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX registry_push_event_by_time ON registry_push_event (received_at);
      CREATE TABLE registry_watch (
        registry text PRIMARY KEY,
        next_poll_at timestamptz NOT NULL DEFAULT now(),
        failures integer NOT NULL DEFAULT 0,
        last_error text,
        last_polled_at timestamptz
      );
    `,
  },
];
