/**
 * Changelog evidence: Debian backports security fixes without changing the upstream version,
 * so the package's own changelog.Debian is the most exact record of what the installed build
 * fixes. Format: Debian Policy §4.4 (`pkg (version) dists; urgency=u`, change lines,
 * ` -- maintainer  date`).
 */
import { gunzipSync } from 'node:zlib';
import { PortcullisError } from '../errors.js';

/** Real changelogs stay well under 2 MiB uncompressed (glibc's is the largest, ~1 MiB). */
export const MAX_CHANGELOG_BYTES = 16 * 1024 * 1024;

export interface ChangelogEntry {
  package: string;
  version: string;
  distributions: string[];
  urgency?: string;
  maintainer?: string;
  date?: string;
  /** 1-based line of the entry header. */
  line: number;
  /** CVE ids named in the entry's body, with the 1-based line of their first mention. */
  cves: { id: string; line: number }[];
}

const HEADER = /^(\w[-+0-9a-z.]*) \(([^()\s]+)\) ((?:[-+0-9a-zA-Z.]+)(?: +[-+0-9a-zA-Z.]+)*) *;(.*)$/;
// The maintainer ends at its closing `>`; policy asks for two spaces before the date but some write one.
const TRAILER = /^ -- (.*?<[^>]*>)\s*(.*)$/;
const CVE = /CVE-\d{4}-\d{4,}/g;

export function parseDebianChangelogText(text: string): ChangelogEntry[] {
  const entries: ChangelogEntry[] = [];
  let current: ChangelogEntry | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    const header = HEADER.exec(line);
    if (header) {
      // dpkg-parsechangelog reports the urgency in lower case (`urgency=HIGH` is `high`).
      const urgency = /urgency=([^,\s]+)/i.exec(header[4] as string)?.[1]?.toLowerCase();
      current = {
        package: header[1] as string,
        version: header[2] as string,
        distributions: (header[3] as string).trim().split(/\s+/),
        ...(urgency ? { urgency } : {}),
        line: i + 1,
        cves: [],
      };
      entries.push(current);
      continue;
    }
    if (!current) continue;
    const trailer = TRAILER.exec(line);
    if (trailer) {
      current.maintainer = (trailer[1] as string).trim();
      current.date = (trailer[2] as string).trim();
      current = undefined; // text after the trailer (old emacs footers) belongs to no entry
      continue;
    }
    for (const m of line.matchAll(CVE)) {
      if (!current.cves.some((c) => c.id === m[0])) current.cves.push({ id: m[0], line: i + 1 });
    }
  }
  return entries;
}

/** gunzip (bounded) and parse a changelog.Debian.gz. */
export function parseDebianChangelog(gz: Buffer, path = 'changelog.Debian.gz'): ChangelogEntry[] {
  let text: Buffer;
  try {
    text = gunzipSync(gz, { maxOutputLength: MAX_CHANGELOG_BYTES });
  } catch (err) {
    const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new PortcullisError(
      tooBig ? 'SIZE_LIMIT' : 'CORRUPT_ARCHIVE',
      tooBig
        ? `${path}: decompresses to more than ${MAX_CHANGELOG_BYTES} bytes`
        : `${path}: not a valid gzip file (${(err as Error).message})`,
      { cause: err, details: { path } },
    );
  }
  return parseDebianChangelogText(text.toString('utf8'));
}
