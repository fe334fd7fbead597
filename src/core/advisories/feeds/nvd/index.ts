/**
 * NVD driver: CVSS scores (v2, v3.x, v4.0 with vectors) and CPE configurations by CVE, from the
 * 1.1 JSON feeds (`CVE_Items`), the 2.0 JSON feeds / API pages (`vulnerabilities[].cve`), or a
 * single 2.0 CVE object. Items are validated one by one; a repeated CVE within one file is
 * skipped (across files it is normal: `recent` and `modified` overlap).
 */
import type { FeedDriver, FeedSource, ReadResult, RecordSink } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import type { FeedRecord } from '../../model.js';
import { readFeedJson, walkFiles } from '../../io/files.js';
import { PortcullisError } from '../../../errors.js';
import { nvd11Records, nvd20Records } from './normalize.js';
import { nvd11Document, nvd11Item, nvd20Cve, nvd20Document, nvd20Wrapper } from './schema.js';

type Normalized = { records: FeedRecord[]; id: string } | { error: string; id?: string };

function issueText(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

function toRecords(result: ReturnType<typeof nvd11Records>): FeedRecord[] {
  const out: FeedRecord[] = result.cvss.map((cvss) => ({ kind: 'cvss', cvss }));
  if (result.cpe) out.push({ kind: 'cpe-config', cpe: result.cpe });
  return out;
}

function item11(raw: unknown): Normalized {
  const parsed = nvd11Item.safeParse(raw);
  if (!parsed.success) return { error: issueText(parsed.error) };
  return { id: parsed.data.cve.CVE_data_meta.ID, records: toRecords(nvd11Records(parsed.data)) };
}

function item20(raw: unknown): Normalized {
  const wrapper = nvd20Wrapper.safeParse(raw);
  const parsed = nvd20Cve.safeParse(wrapper.success ? wrapper.data.cve : raw);
  if (!parsed.success) return { error: issueText(parsed.error) };
  return { id: parsed.data.id, records: toRecords(nvd20Records(parsed.data)) };
}

async function readNvdFile(
  file: string,
  onRecord: RecordSink,
  report: ImportReportBuilder,
): Promise<string | undefined> {
  report.file(file);
  const doc = await readFeedJson(file);
  const v11 = nvd11Document.safeParse(doc);
  const v20 = v11.success ? undefined : nvd20Document.safeParse(doc);
  let items: unknown[];
  let normalize: (raw: unknown) => Normalized;
  let stamp: string | undefined;
  if (v11.success) {
    [items, normalize, stamp] = [v11.data.CVE_Items, item11, v11.data.CVE_data_timestamp];
  } else if (v20?.success) {
    [items, normalize, stamp] = [v20.data.vulnerabilities, item20, v20.data.timestamp];
  } else if (nvd20Cve.safeParse(doc).success) {
    [items, normalize] = [[doc], item20];
  } else {
    throw new PortcullisError(
      'FEED_CORRUPT',
      `${file}: neither an NVD 1.1 feed, an NVD 2.0 document nor a CVE object`,
      {
        details: { file },
      },
    );
  }
  const seen = new Set<string>();
  for (const [index, raw] of items.entries()) {
    report.entry();
    const result = normalize(raw);
    if ('error' in result) {
      report.skip({ reason: 'malformed-record', id: `item ${index}`, file, detail: result.error });
      continue;
    }
    if (seen.has(result.id)) {
      report.skip({ reason: 'duplicate-id', id: result.id, file });
      continue;
    }
    seen.add(result.id);
    for (const record of result.records) {
      const pending = onRecord(record);
      if (pending) await pending;
      report.record();
    }
  }
  return stamp;
}

export const nvdDriver: FeedDriver = {
  id: 'nvd',
  version: 1,
  mirrorSubdir: 'nvd',
  upstream: () =>
    ['modified', 'recent'].map((name) => ({
      url: `https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-${name}.json.gz`,
      path: `nvdcve-2.0-${name}.json.gz`,
    })),
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    const files =
      'file' in source
        ? [source.file]
        : await walkFiles(source.dir, (rel) => /^nvdcve-[^/]+\.json(\.gz)?$/.test(rel));
    let newest = '';
    for (const file of files) {
      const stamp = await readNvdFile(file, onRecord, report);
      if (stamp && stamp > newest) newest = stamp;
    }
    return newest ? { sourceVersion: newest } : {};
  },
};
