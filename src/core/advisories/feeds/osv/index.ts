/**
 * OSV driver: OSV.dev's bulk layout (`<Ecosystem>/all.zip`, one `<id>.json` per advisory) and
 * plain directories of OSV JSON. Zips are streamed member by member; every record is validated
 * on its own, so a bad record is skipped and counted, never fatal.
 */
import { basename } from 'node:path';
import type { FeedDriver, FeedSource, ReadResult, RecordSink, UpstreamOptions } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import { readFeedText, walkFiles } from '../../io/files.js';
import { DEFAULT_ZIP_LIMITS, forEachZipMember } from '../../io/zip-entries.js';
import { versionsOutsideRanges } from '../../versions-outside-ranges.js';
import { normalizeOsv } from './normalize.js';
import { osvRecord } from './schema.js';

const MAX_RECORD_BYTES = 16 * 1024 * 1024;

class OsvReader {
  /** (id, namespace, package) already emitted: the same GHSA id legitimately spans zips. */
  private readonly emitted = new Set<string>();
  /** Document ids of loose JSON files (a zip has its own set). */
  private readonly looseIds = new Set<string>();
  newestModified = '';

  constructor(
    private readonly onRecord: RecordSink,
    private readonly report: ImportReportBuilder,
  ) {}

  async document(text: string, file: string, fallbackId: string, idsInFile: Set<string>): Promise<void> {
    this.report.entry();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      this.report.skip({ reason: 'malformed-record', id: fallbackId, file, detail: (err as Error).message });
      return;
    }
    const parsed = osvRecord.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const detail = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid OSV record';
      this.report.skip({ reason: 'malformed-record', id: fallbackId, file, detail });
      return;
    }
    const record = parsed.data;
    if (idsInFile.has(record.id)) {
      this.report.skip({ reason: 'duplicate-id', id: record.id, file });
      return;
    }
    idsInFile.add(record.id);
    if (record.modified > this.newestModified) this.newestModified = record.modified;
    const { advisories, problems } = normalizeOsv(record, file);
    for (const p of problems) this.report.skip({ reason: p.reason, id: record.id, file, detail: p.detail });
    for (const advisory of advisories) {
      const key = `${advisory.id}\u0000${advisory.namespace}\u0000${advisory.packageName}`;
      if (this.emitted.has(key)) {
        this.report.skip({
          reason: 'duplicate-id',
          id: record.id,
          file,
          detail: `${advisory.namespace} ${advisory.packageName}`,
        });
        continue;
      }
      this.emitted.add(key);
      advisory.versions = versionsOutsideRanges(advisory);
      const pending = this.onRecord({ kind: 'advisory', advisory });
      if (pending) await pending;
      this.report.record();
    }
  }

  async zip(file: string): Promise<void> {
    this.report.file(file);
    const ids = new Set<string>();
    await forEachZipMember(
      file,
      async (member) => {
        if (!member.name.endsWith('.json')) return;
        const where = `${file}!${member.name}`;
        const fallbackId = basename(member.name, '.json');
        if (member.contents === null) {
          this.report.entry();
          this.report.skip({ reason: 'too-large', id: fallbackId, file: where });
          return;
        }
        await this.document(member.contents.toString('utf8'), where, fallbackId, ids);
      },
      { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: MAX_RECORD_BYTES },
    );
  }

  async json(file: string): Promise<void> {
    this.report.file(file);
    await this.document(
      await readFeedText(file, MAX_RECORD_BYTES),
      file,
      basename(file, '.json'),
      this.looseIds,
    );
  }
}

export const osvDriver: FeedDriver = {
  id: 'osv',
  // 2: NuGet is imported (package-type table), and package ids there are folded to lower case.
  version: 2,
  mirrorSubdir: 'osv',
  upstream: (options: UpstreamOptions) =>
    options.osvEcosystems.map((ecosystem) => ({
      url: `https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(ecosystem)}/all.zip`,
      path: `${ecosystem}/all.zip`,
    })),
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    const reader = new OsvReader(onRecord, report);
    const files =
      'file' in source
        ? [source.file]
        : await walkFiles(source.dir, (rel) => rel.endsWith('.zip') || rel.endsWith('.json'));
    for (const file of files) {
      if (file.endsWith('.zip')) await reader.zip(file);
      else await reader.json(file);
    }
    return reader.newestModified ? { sourceVersion: reader.newestModified } : {};
  },
};
