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

/**
 * The scores of `wanted` CVEs from bucket rows given as `bucket<TAB>scores JSON text` lines, read
 * without parsing the buckets: a match wants one score of each bucket of ten, and parsing every
 * bucket made objects of all ten (measured 5 ms CPU for the 1,100 buckets of a 1,000-package
 * match). The quoted id is unique in its bucket (the values are arrays of numbers); its two
 * numbers follow, in JSON that may hold blanks (migration 5 wrote `{ "id" : [e, p] }`). Rows of the same bucket are searched in order, the last wins,
 * as `unpackEpss` merges them.
 */
export function pickEpss(lines: string, wanted: Iterable<string>): EpssRecord[] {
  const rowsByBucket = new Map<string, string[]>();
  for (const line of lines.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const bucket = line.slice(0, tab);
    const rows = rowsByBucket.get(bucket);
    if (rows) rows.push(line);
    else rowsByBucket.set(bucket, [line]);
  }
  const out: EpssRecord[] = [];
  for (const cve of wanted) {
    let found: EpssRecord | undefined;
    const needle = JSON.stringify(cve);
    for (const row of rowsByBucket.get(epssBucket(cve)) ?? []) {
      const at = row.indexOf(needle);
      if (at < 0) continue;
      const start = row.indexOf('[', at + needle.length) + 1;
      const comma = row.indexOf(',', start);
      const end = row.indexOf(']', comma);
      found = { cve, epss: Number(row.slice(start, comma)), percentile: Number(row.slice(comma + 1, end)) };
    }
    if (found) out.push(found);
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
