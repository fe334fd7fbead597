/**
 * CISA vulnrichment driver: CVSS vectors/scores from CNA and CISA-ADP containers plus SSVC
 * decision points, from the compact one-row-per-CVE JSONL (gzip) that a mirror holds. The
 * upstream is a git repository of per-CVE files (cisagov/vulnrichment), not a downloadable
 * file, so this driver is mirror-only.
 */
import { z } from 'zod';
import type { FeedDriver, FeedSource, ReadResult, RecordSink } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import type { CvssRecord, FeedRecord, SsvcRecord } from '../../model.js';
import { feedLineBatches, walkFiles } from '../../io/files.js';

export const vulnrichmentRow = z.object({
  cve: z.string().regex(/^CVE-\d{4}-\d{4,}$/),
  state: z.string().optional(),
  published: z.string().nullish(),
  cvss: z
    .array(
      z.object({
        source: z.string(),
        version: z.string(),
        vector: z.string(),
        score: z.number().min(0).max(10),
        severity: z.string().nullish(),
      }),
    )
    .nullish(),
  ssvc: z
    .object({
      Exploitation: z.string().optional(),
      Automatable: z.string().optional(),
      'Technical Impact': z.string().optional(),
    })
    .nullish(),
});

function recordsOf(row: z.infer<typeof vulnrichmentRow>): FeedRecord[] {
  const out: FeedRecord[] = (row.cvss ?? []).map((c) => {
    const cvss: CvssRecord = {
      cve: row.cve,
      source: `vulnrichment:${c.source}`,
      version: c.version,
      vector: c.vector,
      baseScore: c.score,
    };
    if (c.severity) cvss.severity = c.severity;
    return { kind: 'cvss', cvss };
  });
  if (row.ssvc) {
    const ssvc: SsvcRecord = { cve: row.cve };
    if (row.ssvc.Exploitation) ssvc.exploitation = row.ssvc.Exploitation;
    if (row.ssvc.Automatable) ssvc.automatable = row.ssvc.Automatable;
    if (row.ssvc['Technical Impact']) ssvc.technicalImpact = row.ssvc['Technical Impact'];
    out.push({ kind: 'ssvc', ssvc });
  }
  return out;
}

async function readRows(file: string, onRecord: RecordSink, report: ImportReportBuilder): Promise<void> {
  report.file(file);
  const seen = new Set<string>();
  let lineNo = 0;
  for await (const batch of feedLineBatches(file)) {
    for (const line of batch) {
      lineNo++;
      if (line.trim() === '') continue;
      report.entry();
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (err) {
        report.skip({
          reason: 'malformed-record',
          id: `line ${lineNo}`,
          file,
          detail: (err as Error).message,
        });
        continue;
      }
      const row = vulnrichmentRow.safeParse(raw);
      if (!row.success) {
        report.skip({
          reason: 'malformed-record',
          id: `line ${lineNo}`,
          file,
          detail: row.error.issues[0]?.message,
        });
        continue;
      }
      if (seen.has(row.data.cve)) {
        report.skip({ reason: 'duplicate-id', id: row.data.cve, file });
        continue;
      }
      seen.add(row.data.cve);
      for (const record of recordsOf(row.data)) {
        const pending = onRecord(record);
        if (pending) await pending;
        report.record();
      }
    }
  }
}

export const vulnrichmentDriver: FeedDriver = {
  id: 'vulnrichment',
  version: 1,
  mirrorSubdir: 'nvd',
  upstream: () => [],
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    const files =
      'file' in source
        ? [source.file]
        : await walkFiles(source.dir, (rel) => /^vulnrichment-[^/]+\.jsonl(\.gz)?$/.test(rel));
    for (const file of files) await readRows(file, onRecord, report);
    return {};
  },
};
