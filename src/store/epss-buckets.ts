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

/**
 * Groups scores by bucket into the rows to insert, as `bucket<TAB>scores JSON text` lines. The
 * JSON is written directly (numbers print as JSON.stringify prints them), not through an object
 * per bucket: keyed objects of 37,000 buckets and their JSON.stringify cost most of the EPSS
 * import's JavaScript time (measured 300 against 90 ms CPU for 360,000 scores).
 */
export function packEpss(records: readonly EpssRecord[]): string {
  const byBucket = new Map<string, string>();
  for (const r of records) {
    const bucket = epssBucket(r.cve);
    const entry = `${JSON.stringify(r.cve)}:[${JSON.stringify(r.epss)},${JSON.stringify(r.percentile)}]`;
    const scores = byBucket.get(bucket);
    byBucket.set(bucket, scores === undefined ? entry : `${scores},${entry}`);
  }
  let lines = '';
  for (const [bucket, scores] of byBucket) lines += `${bucket}\t{${scores}}\n`;
  return lines;
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
  // One text parameter split in SQL: PGlite serializes one string far faster than two text
  // arrays of 37,000 elements (measured 370 against 300 ms CPU over the mirror). JSON text has no raw tab or newline.
  await db.query(
    `INSERT INTO "${table}" (source, bucket, scores)
     SELECT $1, split_part(l, E'\\t', 1), split_part(l, E'\\t', 2)
     FROM string_to_table(rtrim($2, E'\\n'), E'\\n') AS l`,
    [source, packEpss(records)],
  );
}
