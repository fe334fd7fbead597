/**
 * FIRST EPSS driver: the daily `epss_scores-YYYY-MM-DD.csv.gz`, streamed line by line. Lines
 * starting with `#` carry metadata (`#model_version:…,score_date:…`) and are skipped; the first
 * other line must be the header `cve,epss,percentile`, or the file is rejected as a whole (a
 * changed layout would otherwise load garbage scores).
 */
import { basename } from 'node:path';
import type { FeedDriver, FeedSource, ReadResult, RecordSink } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import type { EpssRecord } from '../../model.js';
import { feedLineBatches, walkFiles } from '../../io/files.js';
import { PortcullisError } from '../../../errors.js';

export const EPSS_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';
export const EPSS_HEADER = 'cve,epss,percentile';

/**
 * One data row. A strict pattern instead of a zod schema per row: the file has ~360,000 rows
 * and the pattern is the same check (CVE id, two non-negative decimals) at half the cost.
 */
const ROW = /^(CVE-\d{4}-\d{4,}),(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?),(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;

export function parseEpssRow(line: string): EpssRecord | string {
  const m = ROW.exec(line);
  if (!m) return 'expected "CVE-YYYY-NNNN,<epss>,<percentile>"';
  const epss = Number(m[2]);
  const percentile = Number(m[3]);
  if (epss > 1 || percentile > 1) return 'epss and percentile are probabilities (0..1)';
  return { cve: m[1] as string, epss, percentile };
}

/** `score_date` from the metadata line, else the date in the file name. */
function versionOf(meta: string | undefined, file: string): string | undefined {
  const fromMeta = meta?.match(/score_date:([^,\s]+)/)?.[1];
  if (fromMeta) return fromMeta;
  return basename(file).match(/(\d{4}-\d{2}-\d{2})/)?.[1];
}

async function readEpss(
  file: string,
  onRecord: RecordSink,
  report: ImportReportBuilder,
): Promise<string | undefined> {
  report.file(file);
  let header = false;
  let meta: string | undefined;
  let lineNo = 0;
  const seen = new Set<string>();
  for await (const batch of feedLineBatches(file)) {
    for (const rawLine of batch) {
      lineNo++;
      const line = rawLine.trimEnd();
      if (line.startsWith('#')) {
        meta ??= line;
        continue;
      }
      if (!header) {
        if (line !== EPSS_HEADER) {
          throw new PortcullisError(
            'FEED_CORRUPT',
            `${file}: line ${lineNo}: expected the EPSS header "${EPSS_HEADER}", found "${line.slice(0, 80)}"`,
            { details: { file, line: lineNo } },
          );
        }
        header = true;
        continue;
      }
      if (line === '') continue;
      report.entry();
      const row = parseEpssRow(line);
      if (typeof row === 'string') {
        report.skip({ reason: 'malformed-record', id: `line ${lineNo}`, file, detail: row });
        continue;
      }
      if (seen.has(row.cve)) {
        report.skip({ reason: 'duplicate-id', id: row.cve, file });
        continue;
      }
      seen.add(row.cve);
      const pending = onRecord({ kind: 'epss', epss: row });
      if (pending) await pending;
      report.record();
    }
  }
  if (!header) {
    throw new PortcullisError('FEED_CORRUPT', `${file}: no EPSS header "${EPSS_HEADER}" (empty file?)`, {
      details: { file },
    });
  }
  return versionOf(meta, file);
}

export const epssDriver: FeedDriver = {
  id: 'epss',
  version: 1,
  mirrorSubdir: 'epss',
  upstream: () => [{ url: EPSS_URL, path: 'epss_scores-current.csv.gz' }],
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    // Scores are a daily snapshot, not history: only the newest file of a directory counts.
    const files =
      'file' in source
        ? [source.file]
        : await walkFiles(source.dir, (rel) => /^epss_scores-[^/]+\.csv(\.gz)?$/.test(rel));
    const newest = files.sort().at(-1);
    if (!newest) {
      throw new PortcullisError(
        'NOT_FOUND',
        `${'dir' in source ? source.dir : ''}: no epss_scores-*.csv.gz file`,
        {
          details: { source },
        },
      );
    }
    const version = await readEpss(newest, onRecord, report);
    return version ? { sourceVersion: version } : {};
  },
};
