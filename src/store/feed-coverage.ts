import type { Sql } from './sql.js';

/** Which namespaces each feed holds advisories for (for `vulnerability_data_unavailable`). */
export async function namespacesBySource(db: Sql): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ source: string; namespaces: string[] }>(
    'SELECT source, array_agg(DISTINCT namespace ORDER BY namespace) AS namespaces FROM advisory GROUP BY source',
  );
  return new Map(rows.map((r) => [r.source, r.namespaces]));
}

/** Advisory records per namespace of each feed (the groups of `/v1/system/feeds`). */
export async function recordsByNamespace(
  db: Sql,
): Promise<Map<string, { namespace: string; records: number }[]>> {
  const { rows } = await db.query<{ source: string; namespace: string; records: string }>(
    'SELECT source, namespace, count(*)::text AS records FROM advisory GROUP BY source, namespace ORDER BY source, namespace',
  );
  const bySource = new Map<string, { namespace: string; records: number }[]>();
  for (const r of rows) {
    const list = bySource.get(r.source) ?? [];
    list.push({ namespace: r.namespace, records: Number(r.records) });
    bySource.set(r.source, list);
  }
  return bySource;
}

/** Whether any advisory sits in `namespace` (the advisory_by_package index answers it). */
export async function holdsNamespace(db: Sql, namespace: string): Promise<boolean> {
  const { rows } = await db.query<{ one: number }>(
    'SELECT 1 AS one FROM advisory WHERE namespace = $1 LIMIT 1',
    [namespace],
  );
  return rows.length > 0;
}

/**
 * The feed holding advisories in each of `namespaces` (one index probe each), for a policy
 * input that must know whether the image's distro and ecosystems are covered without counting
 * every advisory. A namespace no feed holds is absent.
 */
export async function sourcesOfNamespaces(
  db: Sql,
  namespaces: Iterable<string>,
): Promise<Map<string, string[]>> {
  const bySource = new Map<string, string[]>();
  for (const namespace of new Set(namespaces)) {
    const { rows } = await db.query<{ source: string }>(
      'SELECT source FROM advisory WHERE namespace = $1 LIMIT 1',
      [namespace],
    );
    const source = rows[0]?.source;
    if (source !== undefined) bySource.set(source, [...(bySource.get(source) ?? []), namespace]);
  }
  return bySource;
}
