/**
 * Debian security tracker driver: one advisory per (source package, CVE, release), keyed on
 * the source package in the release's namespace (`debian:12`). The tracker publishes one JSON
 * document; it is parsed whole (the live one is ~70 MiB) and emitted record by record.
 */
import { join } from 'node:path';
import type { FeedDriver, FeedSource, ReadResult, RecordSink } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import { readFeedJson } from '../../io/files.js';
import { isVersionSyntax } from '../../version-syntax.js';
import { PortcullisError } from '../../../errors.js';
import { normalizeTrackerRelease } from './normalize.js';
import { debianNamespace } from './releases.js';
import { trackerDocument, trackerEntry, trackerRelease } from './schema.js';

export const TRACKER_URL = 'https://security-tracker.debian.org/tracker/data/json';

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

async function readTracker(file: string, onRecord: RecordSink, report: ImportReportBuilder): Promise<void> {
  report.file(file);
  const parsed = trackerDocument.safeParse(await readFeedJson(file));
  if (!parsed.success) {
    throw new PortcullisError(
      'FEED_CORRUPT',
      `${file}: not a Debian tracker document: ${firstIssue(parsed.error)}`,
      {
        details: { file },
      },
    );
  }
  for (const [packageName, ids] of Object.entries(parsed.data)) {
    for (const [id, rawEntry] of Object.entries(ids)) {
      const recordId = `${packageName}/${id}`;
      const entry = trackerEntry.safeParse(rawEntry);
      if (!entry.success) {
        report.entry();
        report.skip({ reason: 'malformed-record', id: recordId, file, detail: firstIssue(entry.error) });
        continue;
      }
      const releases = entry.data.releases;
      if (Array.isArray(releases) || Object.keys(releases).length === 0) {
        report.entry();
        report.skip({ reason: 'empty-releases', id: recordId, file });
        continue;
      }
      for (const [codename, rawRelease] of Object.entries(releases)) {
        report.entry();
        const where = `${recordId}/${codename}`;
        const namespace = debianNamespace(codename);
        if (!namespace) {
          report.skip({ reason: 'unknown-release', id: where, file, detail: `release "${codename}"` });
          continue;
        }
        const release = trackerRelease.safeParse(rawRelease);
        if (!release.success) {
          report.skip({ reason: 'malformed-record', id: where, file, detail: firstIssue(release.error) });
          continue;
        }
        const fixed = release.data.fixed_version;
        if (release.data.status === 'resolved' && fixed === undefined) {
          report.skip({
            reason: 'malformed-record',
            id: where,
            file,
            detail: 'resolved without fixed_version',
          });
          continue;
        }
        if (fixed !== undefined && !isVersionSyntax('deb', fixed)) {
          report.skip({ reason: 'unparsable-version', id: where, file, detail: `fixed_version "${fixed}"` });
          continue;
        }
        const ctx = { packageName, id, namespace, codename, file };
        const advisory = normalizeTrackerRelease(
          entry.data.description ? { ...ctx, description: entry.data.description } : ctx,
          release.data,
        );
        const pending = onRecord({ kind: 'advisory', advisory });
        if (pending) await pending;
        report.record();
      }
    }
  }
}

export const debianTrackerDriver: FeedDriver = {
  id: 'debian-tracker',
  version: 1,
  mirrorSubdir: 'debian',
  upstream: () => [{ url: TRACKER_URL, path: 'tracker.json' }],
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    await readTracker('file' in source ? source.file : join(source.dir, 'tracker.json'), onRecord, report);
    return {};
  },
};
