/**
 * Red Hat CSAF VEX driver: one VEX document per CVE with the state of every Red Hat product,
 * normalized into `redhat:<major>` advisories keyed on the source rpm (`normalize.ts`). Reads
 * the current view of Red Hat's publication (`archive.ts`): the archive named by
 * `archive_latest.txt` minus `deletions.csv`, with the files changed since taken loose. The
 * mirror layout is the site's: `csaf-vex/{archive_latest.txt,changes.csv,deletions.csv,
 * csaf_vex_<date>.tar.zst,<year>/<cve>.json}`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeedDriver, FeedSource, ReadResult, RecordSink, UpstreamFile } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import { readFeedText, walkFiles } from '../../io/files.js';
import {
  ARCHIVE_NAME,
  forEachArchiveMember,
  parseChangeList,
  readArchivePointer,
  VEX_PATH,
} from './archive.js';
import { normalizeVulnerability } from './normalize.js';
import { ProductTree } from './product-tree.js';
import { csafDocument } from './schema.js';

const BASE = 'https://security.access.redhat.com/data/csaf/v2/vex/';
const SUBDIR = 'csaf-vex';
/** Kernel VEX files list thousands of products; nothing legitimate comes near this. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

class VexReader {
  private readonly emitted = new Set<string>();
  newest = '';
  constructor(
    private readonly onRecord: RecordSink,
    private readonly report: ImportReportBuilder,
  ) {}

  async document(text: string, where: string): Promise<void> {
    this.report.entry();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      this.report.skip({
        reason: 'malformed-record',
        id: where,
        file: where,
        detail: (err as Error).message,
      });
      return;
    }
    const parsed = csafDocument.safeParse(raw);
    if (!parsed.success || parsed.data.document.category !== 'csaf_vex') {
      const issue = parsed.success ? undefined : parsed.error.issues[0];
      const detail = issue ? `${issue.path.join('.')}: ${issue.message}` : 'not a csaf_vex document';
      this.report.skip({ reason: 'malformed-record', id: where, file: where, detail });
      return;
    }
    const doc = parsed.data;
    const tree = new ProductTree(doc.product_tree);
    if (doc.document.tracking.current_release_date > this.newest)
      this.newest = doc.document.tracking.current_release_date;
    for (const vuln of doc.vulnerabilities ?? []) {
      for (const advisory of normalizeVulnerability(doc, vuln, tree, where)) {
        const key = `${advisory.id}\u0000${advisory.namespace}\u0000${advisory.packageName}`;
        if (this.emitted.has(key)) {
          this.report.skip({
            reason: 'duplicate-id',
            id: advisory.id,
            file: where,
            detail: advisory.packageName,
          });
          continue;
        }
        this.emitted.add(key);
        const pending = this.onRecord({ kind: 'advisory', advisory });
        if (pending) await pending;
        this.report.record();
      }
    }
  }
}

/** What the current view is made of: the archive, and the loose files that replace its members. */
async function currentView(
  dir: string,
): Promise<{ archive?: string; loose: Map<string, string>; deleted: Set<string> }> {
  const files = await walkFiles(dir, (rel) => VEX_PATH.test(rel) || ARCHIVE_NAME.test(rel));
  const loose = new Map<string, string>();
  const archives: string[] = [];
  for (const file of files) {
    const path = VEX_PATH.exec(file)?.[1];
    if (path) loose.set(path, file);
    else archives.push(file);
  }
  const pointer = join(dir, 'archive_latest.txt');
  const named = existsSync(pointer) ? await readArchivePointer(pointer) : undefined;
  // Without a pointer (a hand-made mirror), the newest archive by its date stamp.
  const archive = named ? archives.find((a) => a.endsWith(`/${named}`)) : archives.sort().at(-1);
  const deletionsFile = join(dir, 'deletions.csv');
  const deleted = existsSync(deletionsFile)
    ? new Set(parseChangeList(await readFile(deletionsFile, 'utf8'), deletionsFile).keys())
    : new Set<string>();
  return { ...(archive ? { archive } : {}), loose, deleted };
}

async function read(
  source: FeedSource,
  onRecord: RecordSink,
  report: ImportReportBuilder,
): Promise<ReadResult> {
  const reader = new VexReader(onRecord, report);
  if ('file' in source && !ARCHIVE_NAME.test(source.file.split('/').pop() ?? '')) {
    report.file(source.file);
    await reader.document(await readFeedText(source.file, MAX_DOCUMENT_BYTES), source.file);
    return reader.newest ? { sourceVersion: reader.newest } : {};
  }
  const view =
    'file' in source
      ? { archive: source.file, loose: new Map<string, string>(), deleted: new Set<string>() }
      : await currentView(source.dir);
  if (view.archive) {
    const archive = view.archive;
    report.file(archive);
    await forEachArchiveMember(archive, MAX_DOCUMENT_BYTES, async (member) => {
      if (view.loose.has(member.path) || view.deleted.has(member.path)) return;
      const where = `${archive}!${member.path}`;
      if (member.contents === null) {
        report.entry();
        report.skip({ reason: 'too-large', id: member.path, file: where });
        return;
      }
      await reader.document(member.contents.toString('utf8'), where);
    });
  }
  for (const file of view.loose.values()) {
    report.file(file);
    await reader.document(await readFeedText(file, MAX_DOCUMENT_BYTES), file);
  }
  return reader.newest ? { sourceVersion: reader.newest } : {};
}

/**
 * The archive and the files changed since its date, from the downloaded index files. A file
 * deleted after its last change is not fetched: Red Hat no longer serves it.
 */
async function plan(dir: string): Promise<{ archive: string; changed: string[] }> {
  const archive = await readArchivePointer(join(dir, 'archive_latest.txt'));
  const since = ARCHIVE_NAME.exec(archive)?.[1] as string;
  const list = async (name: string): Promise<Map<string, string>> => {
    const file = join(dir, name);
    return existsSync(file) ? parseChangeList(await readFile(file, 'utf8'), file) : new Map();
  };
  const deleted = await list('deletions.csv');
  const changed = [...(await list('changes.csv'))]
    .filter(([path, time]) => time.slice(0, 10) >= since && !((deleted.get(path) ?? '') >= time))
    .map(([path]) => path);
  return { archive, changed };
}

async function followUp(dir: string, round: number): Promise<UpstreamFile[]> {
  const { archive, changed } = await plan(dir);
  if (round === 1) {
    return [archive, ...changed].map((path) => ({ url: `${BASE}${path}`, path }));
  }
  // Everything is downloaded: drop what the current view no longer names (older archives,
  // loose files the new archive already contains), or stale copies would override it.
  const keep = new Set(changed);
  for (const name of await readdir(dir)) {
    if (ARCHIVE_NAME.test(name) && name !== archive) await rm(join(dir, name), { force: true });
  }
  for (const file of await walkFiles(dir, (rel) => VEX_PATH.test(rel))) {
    const path = VEX_PATH.exec(file)?.[1] as string;
    if (!keep.has(path)) await rm(file, { force: true });
  }
  return [];
}

export const redhatCsafDriver: FeedDriver = {
  id: 'redhat-csaf',
  version: 1,
  mirrorSubdir: `redhat/${SUBDIR}`,
  upstream: () =>
    ['archive_latest.txt', 'changes.csv', 'deletions.csv'].map((path) => ({ url: `${BASE}${path}`, path })),
  followUp,
  read,
};
