/**
 * Changelog parsing and evidence against this Debian host: real changelog.Debian.gz files,
 * parsed independently by `dpkg-parsechangelog --format rfc822 --all` (ground truth for entry
 * boundaries and fields), installed versions from `dpkg-query`, and version order from
 * `dpkg --compare-versions`.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../matching/types.js';
import type { SbomDocument } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import { applySuppressions } from './apply.js';
import { parseDebianChangelog } from './changelog.js';
import { changelogPath, type ChangelogReader } from './changelog-evidence.js';
import { finding } from './test-support.js';

const CVE = /CVE-\d{4}-\d{4,}/g;

interface TruthEntry {
  version: string;
  distribution: string;
  urgency: string;
  maintainer: string;
  date: string;
  cves: string[];
}

/** dpkg's own changelog parser, one stanza per entry. */
function dpkgEntries(path: string): TruthEntry[] {
  const out = execFileSync('dpkg-parsechangelog', ['-l', path, '--format', 'rfc822', '--all'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
  return out
    .split(/\n\n(?=Source:)/)
    .filter((s) => s.trim())
    .map((stanza) => {
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1] ?? '';
      const changes = stanza.slice(stanza.indexOf('\nChanges:'));
      return {
        version: field('Version'),
        distribution: field('Distribution'),
        urgency: field('Urgency'),
        maintainer: field('Maintainer'),
        date: field('Date'),
        cves: [...new Set(changes.match(CVE) ?? [])].sort(),
      };
    });
}

function hostChangelogs(): string[] {
  return readdirSync('/usr/share/doc')
    .sort()
    .filter((d) => {
      try {
        return !lstatSync(`/usr/share/doc/${d}`).isSymbolicLink() && lstatSync(changelogPath(d)).isFile();
      } catch {
        return false;
      }
    });
}

function installed(binary: string): { version: string; source: string; sourceVersion: string } {
  const [version, source, sourceVersion] = execFileSync('dpkg-query', [
    '-W',
    '-f',
    '${Version}\\t${source:Package}\\t${source:Version}',
    binary,
  ])
    .toString()
    .split('\t') as [string, string, string];
  return { version, source, sourceVersion };
}

function dpkgLessOrEqual(pairs: readonly [string, string][]): boolean[] {
  const script =
    'while read -r a b; do if dpkg --compare-versions "$a" le "$b"; then echo 1; else echo 0; fi; done';
  const out = execFileSync('sh', ['-c', script], {
    stdio: 'pipe',
    input: pairs.map((p) => p.join(' ')).join('\n') + '\n',
  });
  return out
    .toString()
    .trim()
    .split('\n')
    .map((l) => l === '1');
}

const readHost: ChangelogReader = async (path) => {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
};

describe('parseDebianChangelog (ground truth: dpkg-parsechangelog)', () => {
  it('agrees with dpkg on entries, fields and CVE ids for a sample of host changelogs', () => {
    const all = hostChangelogs();
    const sample = [
      ...new Set([
        ...all.filter((_, i) => i % 25 === 0),
        ...['libc6', 'libssl3', 'zlib1g', 'tar'].filter((p) => all.includes(p)),
      ]),
    ];
    expect(sample.length).toBeGreaterThan(20);
    let entries = 0;
    let cves = 0;
    for (const pkg of sample) {
      const path = changelogPath(pkg);
      const ours = parseDebianChangelog(readFileSync(path), path).map((e) => ({
        version: e.version,
        distribution: e.distributions.join(' '),
        urgency: e.urgency ?? '',
        maintainer: e.maintainer ?? '',
        date: e.date ?? '',
        cves: e.cves.map((c) => c.id).sort(),
      }));
      expect(ours, pkg).toEqual(dpkgEntries(path));
      entries += ours.length;
      cves += ours.reduce((n, e) => n + e.cves.length, 0);
    }
    expect(entries).toBeGreaterThan(500);
    expect(cves).toBeGreaterThan(10);
  });

  it('reports the urgency in lower case as dpkg does (regression: cscope says urgency=HIGH)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-changelog-'));
    try {
      const path = join(dir, 'changelog.Debian.gz');
      const text = [
        'demo (1.0-1) unstable; urgency=HIGH',
        '',
        '  * Fix CVE-2004-0001.',
        '',
        ' -- A Maintainer <a@example.org>  Sun,  5 Dec 2004 12:45:00 -0500',
        '',
      ].join('\n');
      writeFileSync(path, gzipSync(text));
      const ours = parseDebianChangelog(readFileSync(path), path);
      expect(dpkgEntries(path).map((e) => e.urgency)).toEqual(['high']);
      expect(ours.map((e) => e.urgency)).toEqual(['high']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the line of each CVE mention as it appears in the file', () => {
    const path = changelogPath('libc6');
    const lines = execFileSync('zcat', [path]).toString().split('\n');
    const entries = parseDebianChangelog(readFileSync(path), path);
    for (const e of entries) {
      expect(lines[e.line - 1]).toMatch(new RegExp(`^\\S+ \\(${e.version.replace(/[.+~]/g, '\\$&')}\\)`));
      for (const c of e.cves) expect(lines[c.line - 1]).toContain(c.id);
    }
  });

  it('rejects input that is not gzip, and gzip bombs, with precise errors', () => {
    expect(() =>
      parseDebianChangelog(
        Buffer.from('glibc (1) unstable; urgency=low'),
        '/usr/share/doc/x/changelog.Debian.gz',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'CORRUPT_ARCHIVE',
        message: expect.stringContaining('/usr/share/doc/x/changelog.Debian.gz'),
      }),
    );
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x41));
    expect(() => parseDebianChangelog(bomb, 'bomb.gz')).toThrow(
      expect.objectContaining({ code: 'SIZE_LIMIT' }),
    );
    const truncated = gzipSync(
      Buffer.from(
        'x (1) unstable; urgency=low\n\n  * CVE-2020-0001\n\n -- A <a@b>  Mon, 01 Jan 2024 00:00:00 +0000\n',
      ),
    );
    expect(() => parseDebianChangelog(truncated.subarray(0, truncated.length - 6), 't.gz')).toThrow(
      expect.objectContaining({ code: 'CORRUPT_ARCHIVE' }),
    );
  });
});

function docWith(pkgs: Package[]): SbomDocument {
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: new Date(0).toISOString(),
    source: { type: 'image', input: 'host', layers: [] },
    distro: { id: 'debian', versionId: '12' },
    packages: pkgs,
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
  };
}

describe('applyChangelogEvidence (ground truth: dpkg-query, dpkg --compare-versions)', () => {
  it('suppresses exactly the CVEs an entry at or below the installed source version names', async () => {
    const candidates = hostChangelogs().filter((p) =>
      ['libc6', 'libssl3', 'zlib1g', 'tar', 'libgnutls30', 'libsqlite3-0'].includes(p),
    );
    expect(candidates.length).toBeGreaterThan(0);
    const pkgs: Package[] = [];
    const findings: Finding[] = [];
    const expected = new Set<string>();
    for (const binary of candidates) {
      const real = installed(binary);
      const truth = dpkgEntries(changelogPath(binary));
      // Pretend an older build too: the installed version and the version of a middle entry.
      const middle = truth[Math.floor(truth.length / 2)]?.version ?? real.sourceVersion;
      for (const [label, sourceVersion] of [
        ['real', real.sourceVersion],
        ['old', middle],
      ] as const) {
        const id = `deb-${binary}-${label}`;
        pkgs.push({
          id,
          name: binary,
          version: label === 'real' ? real.version : sourceVersion,
          type: 'deb',
          purl: `pkg:deb/debian/${binary}`,
          licenses: [],
          locations: [{ path: '/var/lib/dpkg/status' }],
          foundBy: 'test@1',
          source: { name: real.source, version: sourceVersion },
          metadata: {},
        });
        const mentioned = [...new Set(truth.flatMap((e) => e.cves))];
        const le = dpkgLessOrEqual(truth.map((e) => [e.version, sourceVersion]));
        const fixedAtOrBelow = new Set(truth.filter((_, i) => le[i]).flatMap((e) => e.cves));
        for (const cve of [...mentioned, 'CVE-1999-99999']) {
          findings.push(
            finding(cve, {
              id,
              name: binary,
              version: sourceVersion,
              type: 'deb',
              purl: `pkg:deb/debian/${binary}`,
            }),
          );
          if (fixedAtOrBelow.has(cve)) expected.add(`${id} ${cve}`);
        }
      }
    }
    const { findings: out, report } = await applySuppressions(findings, {
      changelog: { doc: docWith(pkgs), read: readHost },
      now: new Date(),
    });
    expect(out).toHaveLength(findings.length);
    const actual = new Set(
      out.filter((f) => f.suppressed?.by === 'changelog').map((f) => `${f.package.id} ${f.id}`),
    );
    expect([...actual].filter((x) => !expected.has(x))).toEqual([]); // precision
    expect([...expected].filter((x) => !actual.has(x))).toEqual([]); // recall
    expect(expected.size).toBeGreaterThan(0);
    expect(report.changelog).toMatchObject({ suppressed: expected.size, problems: [] });
    const sample = out.find((f) => f.suppressed?.by === 'changelog');
    expect(sample?.suppressed?.reason).toMatch(
      /^\/usr\/share\/doc\/\S+\/changelog\.Debian\.gz line \d+: \S+ \S+ \(≤ installed \S+\) fixes CVE-/,
    );
  });

  it('an unreadable changelog is recorded as a problem and the finding stays reported', async () => {
    const pkg: Package = {
      id: 'deb-x',
      name: 'x',
      version: '1.0-1',
      type: 'deb',
      purl: 'pkg:deb/debian/x@1.0-1',
      licenses: [],
      locations: [],
      foundBy: 'test@1',
      metadata: {},
    };
    const f = finding('CVE-2020-0001', {
      id: 'deb-x',
      name: 'x',
      version: '1.0-1',
      type: 'deb',
      purl: pkg.purl,
    });
    const { findings, report } = await applySuppressions([f], {
      changelog: { doc: docWith([pkg]), read: async () => Buffer.from('not gzip') },
      now: new Date(),
    });
    expect(findings[0]?.suppressed).toBeUndefined();
    expect(report.changelog?.problems).toEqual([
      { path: '/usr/share/doc/x/changelog.Debian.gz', reason: expect.stringContaining('not a valid gzip') },
    ]);
    const failing = await applySuppressions([f], {
      changelog: {
        doc: docWith([pkg]),
        read: async () => {
          throw new Error('layer read failed');
        },
      },
      now: new Date(),
    });
    expect(failing.findings[0]?.suppressed).toBeUndefined();
    expect(failing.report.changelog?.problems[0]?.reason).toBe('layer read failed');
  });
});
