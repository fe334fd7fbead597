/**
 * Amazon Linux security advisories (ALAS) from the yum `updateinfo.xml` of each release's core
 * repository: `amzn:2` and `amzn:2023` (and `amzn:1` from a mirror). The live files are found
 * through the repository's mirror list and repomd.xml (`repo-metadata.ts`); the mirror layout is
 * `<release>/updateinfo.xml[.gz]`. ALAS is keyed on binary rpm names, one record per
 * (advisory, package), CVEs as aliases and Amazon's severity as a label.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Advisory } from '../../model.js';
import type { FeedDriver, FeedSource, ReadResult, RecordSink, UpstreamFile } from '../../feed.js';
import type { ImportReportBuilder } from '../../import-report.js';
import { readFeedText, walkFiles } from '../../io/files.js';
import {
  alasDate,
  fixedVersion,
  parseUpdateinfo,
  releaseOfAdvisory,
  type AlasUpdate,
} from './parse-updateinfo.js';
import { mirrorBase, updateinfoLocation } from './repo-metadata.js';

/** Releases with a live core repository (Amazon Linux 1 reached end of life in 2023). */
const LIVE: Readonly<Record<string, string>> = {
  '2': 'https://cdn.amazonlinux.com/2/core/latest/x86_64/mirror.list',
  '2023': 'https://cdn.amazonlinux.com/al2023/core/mirrors/latest/x86_64/mirror.list',
};

const PAGES: Readonly<Record<string, string>> = {
  '1': 'https://alas.aws.amazon.com/',
  '2': 'https://alas.aws.amazon.com/AL2/',
  '2023': 'https://alas.aws.amazon.com/AL2023/',
};

const FILE = /(?:^|\/)(1|2|2023)\/updateinfo\.xml(?:\.gz)?$/;

function advisoriesOf(update: AlasUpdate, release: string, file: string): Advisory[] {
  const fixedByName = new Map<string, string[]>();
  for (const p of update.packages) {
    const list = fixedByName.get(p.name) ?? [];
    const fixed = fixedVersion(p);
    if (!list.includes(fixed)) list.push(fixed);
    fixedByName.set(p.name, list);
  }
  const published = alasDate(update.issued);
  const modified = alasDate(update.updated) ?? published;
  return [...fixedByName].map(([name, fixed]) => {
    const advisory: Advisory = {
      id: update.id,
      aliases: [...new Set(update.cves)],
      namespace: `amzn:${release}`,
      packageName: name,
      versionScheme: 'rpm',
      ranges: fixed.map((f) => ({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: f }] })),
      versions: [],
      fixedVersions: fixed,
      fixState: 'fixed',
      severities: update.severity
        ? [{ source: 'amazon', scheme: 'label', label: update.severity.toUpperCase() }]
        : [],
      references: [`${PAGES[release] ?? PAGES['2']}${update.id}.html`],
      source: { driver: 'amazon-alas', file, recordId: `${update.id}/${name}` },
    };
    if (published) advisory.published = published;
    if (modified) advisory.modified = modified;
    if (update.title) advisory.summary = update.title;
    return advisory;
  });
}

async function readUpdateinfo(
  file: string,
  release: string,
  emitted: Set<string>,
  onRecord: RecordSink,
  report: ImportReportBuilder,
): Promise<string> {
  report.file(file);
  let newest = '';
  for (const parsed of parseUpdateinfo(await readFeedText(file), file)) {
    report.entry();
    if (!parsed.ok) {
      report.skip({ reason: 'malformed-record', id: parsed.id, file, detail: parsed.detail });
      continue;
    }
    const { update } = parsed;
    if (update.type !== 'security') continue;
    const ofId = releaseOfAdvisory(update.id);
    if (ofId !== release) {
      report.skip({
        reason: 'unknown-release',
        id: update.id,
        file,
        detail: ofId
          ? `an Amazon Linux ${ofId} advisory in the ${release} file`
          : 'not a core-repository ALAS id',
      });
      continue;
    }
    for (const advisory of advisoriesOf(update, release, file)) {
      const key = `${advisory.id}\u0000${advisory.packageName}`;
      if (emitted.has(key)) {
        report.skip({ reason: 'duplicate-id', id: advisory.id, file, detail: advisory.packageName });
        continue;
      }
      emitted.add(key);
      if ((advisory.modified ?? '') > newest) newest = advisory.modified ?? '';
      const pending = onRecord({ kind: 'advisory', advisory });
      if (pending) await pending;
      report.record();
    }
  }
  return newest;
}

async function followUp(dir: string, round: number): Promise<UpstreamFile[]> {
  const next: UpstreamFile[] = [];
  for (const release of Object.keys(LIVE)) {
    const listFile = join(dir, release, 'mirror.list');
    const base = mirrorBase(await readFile(listFile, 'utf8'), listFile);
    if (round === 1) {
      next.push({ url: `${base}repodata/repomd.xml`, path: `${release}/repomd.xml` });
    } else if (round === 2) {
      const repomd = join(dir, release, 'repomd.xml');
      const href = updateinfoLocation(await readFile(repomd, 'utf8'), repomd);
      const gz = href.endsWith('.gz');
      // Only one form may stay, or the reader would import the release twice.
      await rm(join(dir, release, gz ? 'updateinfo.xml' : 'updateinfo.xml.gz'), { force: true });
      next.push({ url: new URL(href, base).href, path: `${release}/updateinfo.xml${gz ? '.gz' : ''}` });
    }
  }
  return next;
}

export const amazonAlasDriver: FeedDriver = {
  id: 'amazon-alas',
  version: 1,
  mirrorSubdir: 'amazon',
  upstream: () => Object.entries(LIVE).map(([release, url]) => ({ url, path: `${release}/mirror.list` })),
  followUp,
  async read(source: FeedSource, onRecord: RecordSink, report: ImportReportBuilder): Promise<ReadResult> {
    const files = 'file' in source ? [source.file] : await walkFiles(source.dir, (rel) => FILE.test(rel));
    const emitted = new Set<string>();
    let newest = '';
    for (const file of files) {
      const release = FILE.exec(file)?.[1];
      if (release === undefined) continue;
      const modified = await readUpdateinfo(file, release, emitted, onRecord, report);
      if (modified > newest) newest = modified;
    }
    return newest ? { sourceVersion: newest } : {};
  },
};
