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
