/**
 * NVD CPE configurations, kept for the opt-in CPE matcher. One row per (source, CVE) with the
 * whole AND/OR node tree as JSON, and the products named by its vulnerable application
 * criteria as an indexed array: the matcher looks configurations up by product name (vendor is
 * checked in memory, since vendors are the guess-prone half of a CPE).
 */
import type { CpeConfigRecord, CpeNode } from '../core/advisories/model.js';
import type { Sql } from './sql.js';

/** Records per insert: NVD configurations are small, a batch stays around a few MiB. */
const BATCH = 2000;

/** `product` of a `cpe:2.3:a:vendor:product:...` string, unescaped and lower-cased. */
function productOf(criteria: string): string | undefined {
  // Split on colons not preceded by a backslash; the product is field 4.
  const fields = criteria.split(/(?<!\\):/);
  if (fields[2] !== 'a') return undefined;
  const product = fields[4];
  if (!product || product === '*' || product === '-') return undefined;
  return product.replace(/\\(.)/g, '$1').toLowerCase();
}

function vulnerableProducts(nodes: readonly CpeNode[], into: Set<string>): Set<string> {
  for (const node of nodes) {
    for (const m of node.cpeMatch) {
      const p = m.vulnerable ? productOf(m.criteria) : undefined;
      if (p) into.add(p);
    }
    vulnerableProducts(node.children, into);
  }
  return into;
}

/** The products a configuration record can be found under. Exported for tests. */
export function productsOf(record: CpeConfigRecord): string[] {
  const out = new Set<string>();
  for (const c of record.configurations) vulnerableProducts(c.nodes, out);
  return [...out].sort();
}

/** Buffers one feed's CPE configurations and writes them into its staging table in batches. */
export class CpeWriter {
  private pending: CpeConfigRecord[] = [];

  constructor(private readonly table: () => Promise<string>) {}

  async add(db: Sql, source: string, record: CpeConfigRecord): Promise<void> {
    this.pending.push(record);
    if (this.pending.length >= BATCH) await this.flush(db, source);
  }

  async flush(db: Sql, source: string): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending.map((r) => ({ cve: r.cve, products: productsOf(r), record: r }));
    this.pending = [];
    await db.query(
      `INSERT INTO "${await this.table()}" (source, cve, products, record)
       SELECT $1, e->>'cve', ARRAY(SELECT jsonb_array_elements_text(e->'products')), e->'record'
       FROM jsonb_array_elements($2::jsonb) AS e`,
      [source, JSON.stringify(rows)],
    );
  }
}

/** Configurations whose vulnerable application criteria name one of `products`. */
export async function cpeConfigsFor(db: Sql, products: readonly string[]): Promise<CpeConfigRecord[]> {
  if (products.length === 0) return [];
  const { rows } = await db.query<{ record: CpeConfigRecord }>(
    'SELECT record FROM cpe_config WHERE products && $1::text[] ORDER BY cve',
    [[...new Set(products)]],
  );
  return rows.map((r) => r.record);
}
