/**
 * EPSS scores packed by CVE bucket (migration 5): the CVEs whose ids differ only in their last
 * digit share a row holding `{cve: [epss, percentile]}` as JSON text. 360,000 scores become about
 * 37,000 rows, so the import writes and indexes a tenth of the rows it used to. Ten per row keeps
 * a row short (no TOAST) and a lookup fetches little beside what it asked for (measured on the
 * 1,000-package match: buckets of 100 fetched 2.1 MB for 1,160 CVEs).
 */
import type { EpssRecord } from '../core/advisories/model.js';
import type { Sql } from './sql.js';

type Scores = Record<string, [number, number]>;

/** The bucket of a CVE id: the id without its last digit (`CVE-2024-1234` for CVE-2024-12345). */
export const epssBucket = (cve: string): string => cve.slice(0, -1);

/** Groups scores by bucket into the rows to insert: [bucket, scores JSON text][]. */
export function packEpss(records: readonly EpssRecord[]): { buckets: string[]; scores: string[] } {
  const byBucket = new Map<string, Scores>();
  for (const r of records) {
    const bucket = epssBucket(r.cve);
    let scores = byBucket.get(bucket);
    if (!scores) byBucket.set(bucket, (scores = {}));
    scores[r.cve] = [r.epss, r.percentile];
  }
  return { buckets: [...byBucket.keys()], scores: [...byBucket.values()].map((s) => JSON.stringify(s)) };
}

/** Unpacks bucket rows, merging rows of the same bucket; `wanted` keeps only those CVEs. */
export function unpackEpss(rows: readonly string[], wanted?: ReadonlySet<string>): EpssRecord[] {
  const out: EpssRecord[] = [];
  for (const row of rows) {
    for (const [cve, [epss, percentile]] of Object.entries(JSON.parse(row) as Scores)) {
      if (!wanted || wanted.has(cve)) out.push({ cve, epss, percentile });
    }
  }
  return out;
}

/** Inserts scores into an EPSS table (a staging table during an import). */
export async function insertEpss(
  db: Sql,
  table: string,
  source: string,
  records: readonly EpssRecord[],
): Promise<void> {
  const { buckets, scores } = packEpss(records);
  await db.query(
    `INSERT INTO "${table}" (source, bucket, scores) SELECT $1, b, s FROM unnest($2::text[], $3::text[]) AS t(b, s)`,
    [source, buckets, scores],
  );
}
