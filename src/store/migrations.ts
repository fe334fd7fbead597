import { ADMISSION_MIGRATIONS } from './migrations/admission.js';
import { ANALYSIS_LZ4_MIGRATIONS } from './migrations/analysis-lz4.js';
import { ARCHIVE_MIGRATIONS } from './migrations/archive.js';
import { EVALUATION_MIGRATIONS } from './migrations/evaluations.js';
import { FINDINGS_JSON_MIGRATIONS } from './migrations/findings-json.js';
import { HARBOR_MIGRATIONS } from './migrations/harbor.js';
import { NOTIFICATION_LZ4_MIGRATIONS } from './migrations/notification-lz4.js';
import { NOTIFICATION_MIGRATIONS } from './migrations/notifications.js';
import { OPS_MIGRATIONS } from './migrations/ops.js';
import { PACKAGE_KINDS_MIGRATIONS } from './migrations/package-kinds.js';
import { PROMOTION_MIGRATIONS } from './migrations/promotion.js';
import { REMATCH_MIGRATIONS } from './migrations/rematch.js';
import { REMATCH_STORAGE_MIGRATIONS } from './migrations/rematch-storage.js';
import { REMATCH_WRITES_MIGRATIONS } from './migrations/rematch-writes.js';
import { SERVICE_MIGRATIONS } from './migrations/service.js';
import { UI_MIGRATIONS } from './migrations/ui.js';
import { VULNERABILITY_DATA_MIGRATIONS } from './migrations/vulnerability-data.js';
import { WEBHOOK_AUTH_MIGRATIONS } from './migrations/webhook-auth.js';
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
    id: 6,
    name: 'advisory match record',
    // What matching reads of an advisory (the record without references and modified), stored
    // as text rendered from the jsonb record once, at import: a one-off match of 1,000 packages
    // otherwise renders about 2 MB of jsonb to text on each call (ADR 0026). Advisories stored
    // before are filled here, so an existing store matches as before from its first open.
    sql: `
      ALTER TABLE advisory ADD COLUMN match_record text;
      UPDATE advisory SET match_record = (record - '{references,modified}'::text[])::text;
      ALTER TABLE advisory ALTER COLUMN match_record SET NOT NULL;
    `,
  },
  // Each wing keeps its migrations in its own file; ids are reserved per wing (10s service,
  // 17-18 evaluation storage, 19 re-match, 20s notifications, 30s admission, 40s ops, 50s
  // promotion, 60s ui, 70s harbor) so the list stays in id order; 31 was given to the
  // vulnerability data's later migrations and 41 (webhook basic auth) from the 40s; 26 (the
  // re-match's evaluation writes) from the 20s; 62 (the re-match's finding counts) follows 61,
  // which adds the column it changes.
  ...SERVICE_MIGRATIONS,
  ...ARCHIVE_MIGRATIONS,
  ...EVALUATION_MIGRATIONS,
  ...REMATCH_MIGRATIONS,
  ...NOTIFICATION_MIGRATIONS,
  ...REMATCH_WRITES_MIGRATIONS,
  ...ADMISSION_MIGRATIONS,
  ...VULNERABILITY_DATA_MIGRATIONS,
  ...OPS_MIGRATIONS,
  ...WEBHOOK_AUTH_MIGRATIONS,
  ...PROMOTION_MIGRATIONS,
  ...UI_MIGRATIONS,
  ...REMATCH_STORAGE_MIGRATIONS,
  ...HARBOR_MIGRATIONS,
  ...PACKAGE_KINDS_MIGRATIONS,
  ...FINDINGS_JSON_MIGRATIONS,
  ...ANALYSIS_LZ4_MIGRATIONS,
  ...NOTIFICATION_LZ4_MIGRATIONS,
];
