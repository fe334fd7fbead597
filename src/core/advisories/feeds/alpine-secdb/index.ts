/**
 * Alpine secdb driver: one advisory per (id, release, package). A secfixes key names the first
 * fixed apk version; the key "0" means the package was never affected. When an id is listed
 * under several fixed versions (an incomplete first fix), each becomes its own range, so the
 * union affects everything below the latest fix.
 */
import type { Advisory } from '../../model.js';
import type { FeedDriver, FeedSource, ReadResult, RecordSink, UpstreamOptions } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import { readFeedJson, walkFiles } from '../../io/files.js';
import { isVersionSyntax } from '../../version-syntax.js';
import { PortcullisError } from '../../../errors.js';
import { secdbDocument, secdbPackage } from './schema.js';

const CVE = /^CVE-\d{4}-\d{4,}$/;
/** Other advisory ids seen in secfixes (XSA-123, TALOS-2019-0844, wnpa-sec-2017-18, GHSA-…). */
const OTHER_ID = /^(?!CVE)[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9][A-Z0-9.-]*$/i;

/**
 * `"CVE-2019-5060 TALOS-2019-0844"` → id plus aliases. The first well-formed token is the id
 * (`"CVE-????-????? XSA-284"` → XSA-284); comments like `(AoE)` and mangled ids
 * (`CVE_2019-2426`, `CVE-2017-8073.patch`) are not ids.
 */
function parseMention(mention: string): { id: string; aliases: string[] } | undefined {
  const ids = mention
    .trim()
    .split(/\s+/)
    .filter((t) => CVE.test(t) || OTHER_ID.test(t));
  const [id, ...aliases] = ids;
  return id === undefined ? undefined : { id, aliases };
}

interface Pending {
  id: string;
  aliases: Set<string>;
  fixed: string[];
  notAffected: boolean;
}

async function readSecdb(
  file: string,
  emitted: Set<string>,
  onRecord: RecordSink,
  report: ImportReportBuilder,
): Promise<void> {
  report.file(file);
  const doc = secdbDocument.safeParse(await readFeedJson(file));
  if (!doc.success) {
    const issue = doc.error.issues[0];
    throw new PortcullisError(
      'FEED_CORRUPT',
      `${file}: not an Alpine secdb document: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
      { details: { file } },
    );
  }
  const namespace = `alpine:${doc.data.distroversion.slice(1)}`;
  for (const [index, raw] of (doc.data.packages ?? []).entries()) {
    const parsed = secdbPackage.safeParse(raw);
    if (!parsed.success) {
      report.entry();
      report.skip({
        reason: 'malformed-record',
        id: `packages[${index}]`,
        file,
        detail: parsed.error.issues[0]?.message,
      });
      continue;
    }
    const { name, secfixes } = parsed.data.pkg;
    const byId = new Map<string, Pending>();
    for (const [version, mentions] of Object.entries(secfixes ?? {})) {
      for (const mention of mentions ?? []) {
        report.entry();
        const where = `${name}/${mention}`;
        const parsedMention = parseMention(mention);
        if (!parsedMention) {
          report.skip({ reason: 'malformed-record', id: where, file, detail: `advisory id "${mention}"` });
          continue;
        }
        if (!isVersionSyntax('apk', version)) {
          report.skip({
            reason: 'unparsable-version',
            id: where,
            file,
            detail: `fixed version "${version}"`,
          });
          continue;
        }
        const pending = byId.get(parsedMention.id) ?? {
          id: parsedMention.id,
          aliases: new Set<string>(),
          fixed: [],
          notAffected: false,
        };
        parsedMention.aliases.forEach((a) => pending.aliases.add(a));
        if (version === '0') pending.notAffected = true;
        else if (!pending.fixed.includes(version)) pending.fixed.push(version);
        byId.set(parsedMention.id, pending);
      }
    }
    for (const p of byId.values()) {
      const key = `${p.id}\u0000${namespace}\u0000${name}`;
      if (emitted.has(key)) {
        report.skip({
          reason: 'duplicate-id',
          id: `${name}/${p.id}`,
          file,
          detail: `already read for ${namespace}`,
        });
        continue;
      }
      emitted.add(key);
      // A real fixed version outranks a "0" (not affected) listed for the same id.
      const notAffected = p.fixed.length === 0 && p.notAffected;
      const advisory: Advisory = {
        id: p.id,
        aliases: [...p.aliases],
        namespace,
        packageName: name,
        versionScheme: 'apk',
        ranges: p.fixed.map((fixed) => ({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] })),
        versions: [],
        fixedVersions: p.fixed,
        fixState: 'fixed',
        severities: [],
        references: [],
        source: { driver: 'alpine-secdb', file, recordId: `${name}/${p.id}` },
      };
      if (notAffected) advisory.notAffected = true;
      const pending = onRecord({ kind: 'advisory', advisory });
      if (pending) await pending;
      report.record();
    }
  }
}

export const alpineSecdbDriver: FeedDriver = {
  id: 'alpine-secdb',
  version: 1,
  mirrorSubdir: 'alpine',
  upstream: (options: UpstreamOptions) =>
    options.alpineReleases.flatMap((release) =>
      ['main', 'community'].map((repo) => ({
        url: `https://secdb.alpinelinux.org/${release}/${repo}.json`,
        path: `secdb/${release}/${repo}.json`,
      })),
    ),
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    const files =
      'file' in source
        ? [source.file]
        : await walkFiles(source.dir, (rel) => /(^|\/)v\d+\.\d+\/[^/]+\.json$/.test(rel));
    const emitted = new Set<string>();
    for (const file of files) await readSecdb(file, emitted, onRecord, report);
    return {};
  },
};
