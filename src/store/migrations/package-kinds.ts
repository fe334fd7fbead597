import type { Migration } from '../migrations.js';

/**
 * How many packages of each kind an analysis holds, stored beside its SBOM (issue 13): the
 * re-match evaluates most bundles from them without the SBOM's packages, and counting them in
 * the read decompressed and walked every SBOM of a pass. Released: never edit, append.
 */
export const PACKAGE_KINDS_MIGRATIONS: readonly Migration[] = [
  {
    id: 71,
    name: 're-match: package kinds per analysis',
    // `package_kinds_of` is the definition the writers follow (package-kinds.ts computes the same,
    // package-kinds.test.ts holds both to it): [type, owned, count] per kind, by type in byte
    // order, unowned first; a type that is not a string counts as none. Analyses stored before
    // are counted here, once. NOT NULL: a writer that forgets the counts fails at once instead
    // of leaving an analysis the re-match misjudges.
    sql: `
      CREATE FUNCTION package_kinds_of(sbom jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(
          jsonb_agg(jsonb_build_array(g.type, g.owned, g.n) ORDER BY g.type COLLATE "C", g.owned), '[]'::jsonb)
        FROM (SELECT CASE WHEN jsonb_typeof(p -> 'type') = 'string' THEN p ->> 'type' END AS type,
                coalesce(p ->> 'ownedBy', '') <> '' AS owned, count(*) AS n
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(sbom -> 'packages') = 'array'
                THEN sbom -> 'packages' ELSE '[]'::jsonb END) AS p
              GROUP BY 1, 2) g
      $$;
      ALTER TABLE analysis ADD COLUMN package_kinds jsonb;
      UPDATE analysis SET package_kinds = package_kinds_of(sbom);
      ALTER TABLE analysis ALTER COLUMN package_kinds SET NOT NULL;
    `,
  },
];
