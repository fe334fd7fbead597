import { CPE_MIGRATION_SQL } from './cpe-store.js';

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
    sql: CPE_MIGRATION_SQL,
  },
];
