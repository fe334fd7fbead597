/** The combined entry point: order of mechanisms, first suppression kept, nothing dropped. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SbomDocument } from '../sbom/document.js';
import { applySuppressions } from './apply.js';
import { parseIgnoreFile } from './ignore-file.js';
import { finding } from './test-support.js';
import { parseVexText } from './vex.js';

const changelog = gzipSync(
  Buffer.from(
    [
      'openssl (3.0.11-1~deb12u2) bookworm-security; urgency=medium',
      '',
      '  * Fix CVE-2023-5678 and CVE-2024-0727.',
      '',
      ' -- Sebastian Andrzej Siewior <sebastian@breakpoint.cc>  Sat, 03 Feb 2024 10:00:00 +0100',
      '',
      'openssl (3.0.11-1~deb12u1) bookworm; urgency=medium',
      '',
      '  * Import 3.0.11 (CVE-2023-4807).',
      '',
      ' -- Sebastian Andrzej Siewior <sebastian@breakpoint.cc>  Sat, 30 Sep 2023 10:00:00 +0200',
      '',
    ].join('\n'),
  ),
);

const pkg = {
  name: 'libssl3',
  version: '3.0.11-1~deb12u1',
  type: 'deb' as const,
  purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1',
  id: 'deb-libssl3',
};
const doc: SbomDocument = {
  schemaVersion: '1.0.0',
  descriptor: { name: 'portcullis', version: '0.1.0' },
  createdAt: new Date(0).toISOString(),
  source: { type: 'image', input: 'x', layers: [] },
  packages: [
    {
      ...pkg,
      licenses: [],
      locations: [{ path: '/var/lib/dpkg/status' }],
      foundBy: 'test@1',
      source: { name: 'openssl', version: '3.0.11-1~deb12u1' },
      metadata: {},
    },
  ],
  relationships: [],
  files: [],
  secrets: [],
  unknowns: [],
};

describe('applySuppressions', () => {
  it('runs VEX, ignore rules and changelog evidence; the first suppression stands; nothing is dropped', async () => {
    const findings = ['CVE-2023-4807', 'CVE-2023-5678', 'CVE-2024-0727', 'CVE-2024-2511'].map((id) =>
      finding(id, pkg),
    );
    const vex = parseVexText(
      'v.json',
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        timestamp: '2025-01-01T00:00:00Z',
        statements: [
          {
            vulnerability: { name: 'CVE-2023-4807' },
            products: [{ '@id': 'pkg:deb/debian/libssl3' }],
            status: 'not_affected',
            justification: 'component_not_present',
          },
        ],
      }),
    );
    const ignore = parseIgnoreFile('i.yaml', '- vulnerability: CVE-2023-*\n  reason: accepted\n');
    const reads: string[] = [];
    const { findings: out, report } = await applySuppressions(findings, {
      vex: [vex],
      ignore,
      changelog: { doc, read: async (path) => (reads.push(path), changelog) },
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(out.map((f) => [f.id, f.suppressed?.by])).toEqual([
      ['CVE-2023-4807', 'vex'],
      ['CVE-2023-5678', 'ignore-rule'],
      // Named only in the 3.0.11-1~deb12u2 entry, newer than the installed build.
      ['CVE-2024-0727', undefined],
      ['CVE-2024-2511', undefined],
    ]);
    expect(report.rules).toEqual([{ index: 0, vulnerability: 'CVE-2023-*', status: 'applied', matched: 2 }]);
    expect(reads).toEqual(['/usr/share/doc/libssl3/changelog.Debian.gz']);
    expect(report.changelog).toEqual({ packagesRead: 1, suppressed: 0, problems: [] });

    const newer = {
      ...doc,
      packages: doc.packages.map((p) => ({ ...p, source: { name: 'openssl', version: '3.0.11-1~deb12u2' } })),
    };
    const again = await applySuppressions(findings, {
      changelog: { doc: newer, read: async () => changelog },
      now: new Date(),
    });
    expect(again.findings.map((f) => f.suppressed?.by)).toEqual([
      'changelog',
      'changelog',
      'changelog',
      undefined,
    ]);
    expect(again.findings[1]?.suppressed?.reason).toBe(
      '/usr/share/doc/libssl3/changelog.Debian.gz line 3: openssl 3.0.11-1~deb12u2 (≤ installed 3.0.11-1~deb12u2) fixes CVE-2023-5678',
    );
    expect(again.findings[0]?.suppressed?.reason).toContain('line 9: openssl 3.0.11-1~deb12u1');
  });

  it('with no inputs returns the findings unchanged and an empty report', async () => {
    const f = [finding('CVE-1', pkg)];
    expect(await applySuppressions(f, { now: new Date() })).toEqual({
      findings: f,
      report: { statements: [], rules: [], annotations: [] },
    });
  });
});
