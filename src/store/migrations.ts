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
];
