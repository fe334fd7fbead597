/**
 * Suppresses deb findings that the package's own changelog says are fixed at or below the
 * installed version. Changelog versions are source versions, so they are compared with the
 * package's source version (binNMU `+bN` rebuilds keep the source version's changelog).
 */
import { describeError } from '../errors.js';
import type { Finding } from '../matching/types.js';
import type { SbomDocument } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import { schemeFor } from '../versioning/registry.js';
import { parseDebianChangelog, type ChangelogEntry } from './changelog.js';
import type { ChangelogOutcome } from './types.js';

/** Returns a file's bytes from the image, or undefined when absent (e.g. CapturedContent's resolver().read). */
export type ChangelogReader = (path: string) => Promise<Buffer | undefined>;

/** The glob the dpkg parser prefetches so the layer pass keeps these files. */
export const CHANGELOG_GLOB = '/usr/share/doc/*/changelog.Debian.gz';

export function changelogPath(binaryPackage: string): string {
  return `/usr/share/doc/${binaryPackage}/changelog.Debian.gz`;
}

interface Fix {
  entry: ChangelogEntry;
  cveLine: number;
}

export async function applyChangelogEvidence(
  findings: readonly Finding[],
  doc: SbomDocument,
  readChangelog: ChangelogReader,
): Promise<{ findings: Finding[]; outcome: ChangelogOutcome }> {
  const deb = schemeFor('deb');
  const packages = new Map<string, Package>(doc.packages.map((p) => [p.id, p]));
  const parsed = new Map<string, ChangelogEntry[] | undefined>();
  const outcome: ChangelogOutcome = { packagesRead: 0, suppressed: 0, problems: [] };

  const entriesOf = async (binary: string): Promise<ChangelogEntry[] | undefined> => {
    if (parsed.has(binary)) return parsed.get(binary);
    const path = changelogPath(binary);
    let entries: ChangelogEntry[] | undefined;
    try {
      const gz = await readChangelog(path);
      if (gz) {
        entries = parseDebianChangelog(gz, path);
        outcome.packagesRead++;
      }
    } catch (err) {
      outcome.problems.push({ path, reason: describeError(err) });
    }
    parsed.set(binary, entries);
    return entries;
  };

  const out: Finding[] = [];
  for (const finding of findings) {
    const pkg = packages.get(finding.package.id);
    if (finding.suppressed || finding.package.type !== 'deb' || !pkg) {
      out.push(finding);
      continue;
    }
    const entries = await entriesOf(pkg.name);
    const installed = pkg.source?.version ?? pkg.version;
    const ids = new Set([finding.id, ...finding.aliases]);
    let fix: Fix | undefined;
    if (entries && deb.isValid(installed)) {
      for (const entry of entries) {
        const cve = entry.cves.find((c) => ids.has(c.id));
        if (!cve || !deb.isValid(entry.version) || deb.compare(entry.version, installed) > 0) continue;
        fix = { entry, cveLine: cve.line };
        break; // newest first: the first qualifying entry is the latest fix at or below installed
      }
    }
    if (!fix) {
      out.push(finding);
      continue;
    }
    outcome.suppressed++;
    const cveId = fix.entry.cves.find((c) => c.line === fix.cveLine)?.id ?? finding.id;
    out.push({
      ...finding,
      suppressed: {
        by: 'changelog',
        reason: `${changelogPath(pkg.name)} line ${fix.cveLine}: ${fix.entry.package} ${fix.entry.version} (≤ installed ${installed}) fixes ${cveId}`,
      },
    });
  }
  return { findings: out, outcome };
}
