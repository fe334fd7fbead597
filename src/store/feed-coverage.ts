import type { Sql } from './sql.js';

/** Which namespaces each feed holds advisories for (for `vulnerability_data_unavailable`). */
export async function namespacesBySource(db: Sql): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ source: string; namespaces: string[] }>(
    'SELECT source, array_agg(DISTINCT namespace ORDER BY namespace) AS namespaces FROM advisory GROUP BY source',
  );
  return new Map(rows.map((r) => [r.source, r.namespaces]));
}
