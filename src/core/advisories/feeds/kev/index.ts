/** CISA Known Exploited Vulnerabilities driver: one KEV record per catalog entry. */
import { join } from 'node:path';
import { z } from 'zod';
import type { FeedDriver, FeedSource, ReadResult, RecordSink } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import type { KevRecord } from '../../model.js';
import { readFeedJson } from '../../io/files.js';
import { PortcullisError } from '../../../errors.js';

export const KEV_URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const kevEntry = z.object({
  cveID: z.string().regex(/^CVE-\d{4}-\d{4,}$/),
  vendorProject: z.string(),
  product: z.string(),
  dateAdded: isoDate,
  dueDate: isoDate,
  knownRansomwareCampaignUse: z.string().optional(),
});

export const kevDocument = z.object({
  catalogVersion: z.string(),
  dateReleased: z.string().optional(),
  count: z.number().optional(),
  vulnerabilities: z.array(z.unknown()),
});

export const kevDriver: FeedDriver = {
  id: 'kev',
  version: 1,
  mirrorSubdir: 'kev',
  upstream: () => [{ url: KEV_URL, path: 'known_exploited_vulnerabilities.json' }],
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    const file = 'file' in source ? source.file : join(source.dir, 'known_exploited_vulnerabilities.json');
    report.file(file);
    const doc = kevDocument.safeParse(await readFeedJson(file));
    if (!doc.success) {
      const issue = doc.error.issues[0];
      throw new PortcullisError(
        'FEED_CORRUPT',
        `${file}: not a KEV catalog: ${issue?.path.join('.')}: ${issue?.message}`,
        {
          details: { file },
        },
      );
    }
    const seen = new Set<string>();
    for (const [index, raw] of doc.data.vulnerabilities.entries()) {
      report.entry();
      const entry = kevEntry.safeParse(raw);
      if (!entry.success) {
        const issue = entry.error.issues[0];
        report.skip({
          reason: 'malformed-record',
          id: `vulnerabilities[${index}]`,
          file,
          detail: `${issue?.path.join('.')}: ${issue?.message}`,
        });
        continue;
      }
      const e = entry.data;
      if (seen.has(e.cveID)) {
        report.skip({ reason: 'duplicate-id', id: e.cveID, file });
        continue;
      }
      seen.add(e.cveID);
      const kev: KevRecord = {
        cve: e.cveID,
        dateAdded: e.dateAdded,
        dueDate: e.dueDate,
        knownRansomware: e.knownRansomwareCampaignUse === 'Known',
        vendor: e.vendorProject,
        product: e.product,
      };
      const pending = onRecord({ kind: 'kev', kev });
      if (pending) await pending;
      report.record();
    }
    return { sourceVersion: doc.data.catalogVersion };
  },
};
