/**
 * Numbered, append-only migrations. Never edit a released migration: add a new one.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'vulnerability data',
    sql: `
      CREATE TABLE feed_source (
        source text PRIMARY KEY,
        last_sync timestamptz NOT NULL,
        records integer NOT NULL,
        source_version text,
        report jsonb NOT NULL
      );
      CREATE TABLE advisory (
        source text NOT NULL,
        id text NOT NULL,
        namespace text NOT NULL,
        package_name text NOT NULL,
        version_scheme text NOT NULL,
        aliases text[] NOT NULL,
        fix_state text NOT NULL,
        withdrawn boolean NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX advisory_by_package ON advisory (namespace, package_name);
      CREATE INDEX advisory_by_id ON advisory (id);
      CREATE INDEX advisory_by_source ON advisory (source);
      CREATE TABLE cvss (
        source text NOT NULL,
        cve text NOT NULL,
        scorer text NOT NULL,
        version text NOT NULL,
        vector text NOT NULL,
        base_score real NOT NULL,
        severity text
      );
      CREATE INDEX cvss_by_cve ON cvss (cve);
      CREATE INDEX cvss_by_source ON cvss (source);
      CREATE TABLE kev (
        source text NOT NULL,
        cve text NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX kev_by_cve ON kev (cve);
      CREATE TABLE epss (
        source text NOT NULL,
        cve text NOT NULL,
        epss real NOT NULL,
        percentile real NOT NULL
      );
      CREATE INDEX epss_by_cve ON epss (cve);
      CREATE TABLE ssvc (
        source text NOT NULL,
        cve text NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX ssvc_by_cve ON ssvc (cve);
    `,
  },
  {
    id: 2,
    name: 'advisory content hash',
    // A hash of each advisory (without where it was read from) lets replaceFeed tell which
    // (namespace, package) keys an update really changed, so only those are re-matched.
    sql: `
      ALTER TABLE advisory ADD COLUMN content_hash text;
    `,
  },
  {
    id: 3,
    name: 'nvd cpe configurations',
    // The opt-in CPE matcher's data, kept in its own table so the advisory tables stay as they are.
    sql: `
      CREATE TABLE cpe_config (
        source text NOT NULL,
        cve text NOT NULL,
        products text[] NOT NULL,
        record jsonb NOT NULL
      );
      CREATE INDEX cpe_config_by_product ON cpe_config USING gin (products);
      CREATE INDEX cpe_config_by_source ON cpe_config (source);
    `,
  },
  {
    id: 4,
    name: 'feed data partitioned by source',
    // Each source's rows live in their own partition, so a feed import loads a new table nobody
    // reads yet and swaps it in with a short DETACH/ATTACH (see feed-partitions.ts): readers see
    // the old data or the new, never wait for the load. Existing rows move to one partition per
    // source. The sequence numbers partitions; input_fingerprint lets `db update` skip a feed
    // whose input did not change.
    sql: `
      CREATE SEQUENCE feed_partition_seq;
      ALTER TABLE feed_source ADD COLUMN input_fingerprint jsonb;
      DO $$
      DECLARE
        t text;
        s text;
        part text;
        idx record;
      BEGIN
        FOREACH t IN ARRAY ARRAY['advisory', 'cvss', 'kev', 'epss', 'ssvc', 'cpe_config'] LOOP
          EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_unpartitioned');
          EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS) PARTITION BY LIST (source)', t, t || '_unpartitioned');
          FOR s IN EXECUTE format('SELECT DISTINCT source FROM %I', t || '_unpartitioned') LOOP
            part := format('%s_p%s_g%s', t, left(md5(s), 12), nextval('feed_partition_seq'));
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, t);
            EXECUTE format('ALTER TABLE %I ADD CHECK (source = %L)', part, s);
            EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE source = %L', part, t || '_unpartitioned', s);
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', t, part, s);
          END LOOP;
          EXECUTE format('DROP TABLE %I', t || '_unpartitioned');
        END LOOP;
      END $$;
      CREATE INDEX advisory_by_package ON advisory (namespace, package_name);
      CREATE INDEX advisory_by_id ON advisory (id);
      CREATE INDEX cvss_by_cve ON cvss (cve);
      CREATE INDEX kev_by_cve ON kev (cve);
      CREATE INDEX epss_by_cve ON epss (cve);
      CREATE INDEX ssvc_by_cve ON ssvc (cve);
      CREATE INDEX cpe_config_by_product ON cpe_config USING gin (products);
    `,
  },
  {
    id: 5,
    name: 'epss packed in buckets of ten cves',
    // EPSS scores every published CVE (about 360,000 rows): one row and one index entry per CVE
    // made it the costliest feed to import. A row now holds the scores of up to 10 CVEs that
    // share their id but for the last digit, as a JSON object text {cve: [epss, percentile]};
    // a lookup by CVE reads the bucket's rows (see epss-buckets.ts). A bucket may span several
    // rows (an import writes in batches); readers merge them.
    sql: `
      ALTER TABLE epss RENAME TO epss_by_row;
      CREATE TABLE epss (
        source text NOT NULL,
        bucket text NOT NULL,
        scores text NOT NULL
      ) PARTITION BY LIST (source);
      DO $$
      DECLARE
        s text;
        part text;
      BEGIN
        FOR s IN SELECT DISTINCT source FROM epss_by_row LOOP
          part := format('epss_p%s_g%s', left(md5(s), 12), nextval('feed_partition_seq'));
          EXECUTE format('CREATE TABLE %I (LIKE epss INCLUDING DEFAULTS)', part);
          EXECUTE format('ALTER TABLE %I ADD CHECK (source = %L)', part, s);
          EXECUTE format(
            'INSERT INTO %I SELECT source, left(cve, length(cve) - 1), json_object_agg(cve, json_build_array(epss, percentile))::text FROM epss_by_row WHERE source = %L GROUP BY 1, 2',
            part, s);
          EXECUTE format('ALTER TABLE epss ATTACH PARTITION %I FOR VALUES IN (%L)', part, s);
        END LOOP;
      END $$;
      DROP TABLE epss_by_row;
      CREATE INDEX epss_by_bucket ON epss (bucket);
    `,
  },
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
