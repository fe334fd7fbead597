/**
 * Node logic from NVD's documented semantics, on literal configurations. The package under
 * test is `foo` 1.5 (binary, Debian order), on a Debian 12 image with `bar` 2.0 beside it.
 */
import { describe, it, expect } from 'vitest';
import type { CpeConfigRecord, CpeMatch, CpeNode } from '../../advisories/model.js';
import type { SbomDocument } from '../../sbom/document.js';
import type { Package } from '../../sbom/model.js';
import { sbomDocument } from '../../sbom/test-support/sbom-document.js';
import { matchByCpe, type CpeSource } from './match-cpe.js';

const FOO = 'cpe:2.3:a:foo:foo:*:*:*:*:*:*:*:*';
const vuln = (criteria: string, extra: Partial<CpeMatch> = {}): CpeMatch => ({
  vulnerable: true,
  criteria,
  ...extra,
});
const env = (criteria: string, extra: Partial<CpeMatch> = {}): CpeMatch => ({
  vulnerable: false,
  criteria,
  ...extra,
});
const node = (
  operator: 'AND' | 'OR',
  cpeMatch: CpeMatch[],
  children: CpeNode[] = [],
  negate = false,
): CpeNode => ({
  operator,
  negate,
  cpeMatch,
  children,
});

const pkg = (name: string, version: string, extra: Partial<Package> = {}): Package => ({
  id: `${name}@${version}`,
  name,
  version,
  type: 'binary',
  purl: `pkg:generic/${name}@${version}`,
  licenses: [],
  locations: [],
  foundBy: 'test',
  metadata: {},
  ...extra,
});

const doc = (packages: Package[], distro: SbomDocument['distro']): SbomDocument =>
  sbomDocument({
    source: { type: 'directory', input: 'test', layers: [] },
    ...(distro ? { distro } : {}),
    packages,
  });

const source = (configurations: CpeConfigRecord['configurations']): CpeSource => ({
  cpeConfigsFor: () => Promise.resolve([{ cve: 'CVE-2000-0001', configurations }]),
  enrichment: () => Promise.resolve(new Map()),
});

const DEBIAN_12 = { id: 'debian', versionId: '12' };
const BELOW_2 = { versionEndExcluding: '2.0' };

async function hits(
  configurations: CpeConfigRecord['configurations'],
  distro = DEBIAN_12,
): Promise<string[]> {
  const { findings } = await matchByCpe(
    doc([pkg('foo', '1.5'), pkg('bar', '2.0')], distro),
    source(configurations),
  );
  return findings.filter((f) => f.package.name === 'foo').map((f) => f.id);
}

describe('NVD node logic', () => {
  const table: [string, CpeConfigRecord['configurations'], string[]][] = [
    [
      'plain OR, inside the bounds',
      [{ operator: 'OR', nodes: [node('OR', [vuln(FOO, BELOW_2)])] }],
      ['CVE-2000-0001'],
    ],
    [
      'plain OR, outside the bounds',
      [{ operator: 'OR', nodes: [node('OR', [vuln(FOO, { versionEndExcluding: '1.5' })])] }],
      [],
    ],
    [
      'a non-vulnerable criterion never makes a finding',
      [{ operator: 'OR', nodes: [node('OR', [env(FOO, BELOW_2)])] }],
      [],
    ],
    [
      'AND with the image distro (Debian 12.0) matches',
      [
        {
          operator: 'AND',
          nodes: [
            node('OR', [vuln(FOO, BELOW_2)]),
            node('OR', [env('cpe:2.3:o:debian:debian_linux:12.0:*:*:*:*:*:*:*')]),
          ],
        },
      ],
      ['CVE-2000-0001'],
    ],
    [
      'AND with another Debian release does not',
      [
        {
          operator: 'AND',
          nodes: [
            node('OR', [vuln(FOO, BELOW_2)]),
            node('OR', [env('cpe:2.3:o:debian:debian_linux:11.0:*:*:*:*:*:*:*')]),
          ],
        },
      ],
      [],
    ],
    [
      'AND with Windows does not (1.1 layout: children of one AND node)',
      [
        {
          operator: 'OR',
          nodes: [
            node(
              'AND',
              [],
              [
                node('OR', [vuln(FOO, BELOW_2)]),
                node('OR', [env('cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*')]),
              ],
            ),
          ],
        },
      ],
      [],
    ],
    [
      'AND with a hardware platform does not: the hardware is unknown',
      [
        {
          operator: 'AND',
          nodes: [
            node('OR', [vuln(FOO, BELOW_2)]),
            node('OR', [env('cpe:2.3:h:acme:router:-:*:*:*:*:*:*:*')]),
          ],
        },
      ],
      [],
    ],
    [
      'AND with an application present in the image at a version in range matches',
      [
        {
          operator: 'AND',
          nodes: [
            node('OR', [vuln(FOO, BELOW_2)]),
            node('OR', [env('cpe:2.3:a:bar:bar:*:*:*:*:*:*:*:*', { versionStartIncluding: '2.0' })]),
          ],
        },
      ],
      ['CVE-2000-0001'],
    ],
    [
      'AND with that application at a version out of range does not',
      [
        {
          operator: 'AND',
          nodes: [
            node('OR', [vuln(FOO, BELOW_2)]),
            node('OR', [env('cpe:2.3:a:bar:bar:*:*:*:*:*:*:*:*', { versionEndExcluding: '2.0' })]),
          ],
        },
      ],
      [],
    ],
    [
      'a negated platform node that the image matches excludes',
      [
        {
          operator: 'AND',
          nodes: [
            node('OR', [vuln(FOO, BELOW_2)]),
            node('OR', [env('cpe:2.3:o:debian:debian_linux:*:*:*:*:*:*:*:*')], [], true),
          ],
        },
      ],
      [],
    ],
    [
      'a negated platform node the image does not match lets it through',
      [
        {
          operator: 'AND',
          nodes: [
            node('OR', [vuln(FOO, BELOW_2)]),
            node('OR', [env('cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*')], [], true),
          ],
        },
      ],
      ['CVE-2000-0001'],
    ],
    [
      'an exact CPE version equal under the scheme matches',
      [{ operator: 'OR', nodes: [node('OR', [vuln('cpe:2.3:a:foo:foo:1.5:*:*:*:*:*:*:*')])] }],
      ['CVE-2000-0001'],
    ],
    [
      'a named update (rc1) is refused',
      [{ operator: 'OR', nodes: [node('OR', [vuln('cpe:2.3:a:foo:foo:1.5:rc1:*:*:*:*:*:*')])] }],
      [],
    ],
    [
      'an unrelated vendor does not match the product name alone',
      [
        {
          operator: 'OR',
          nodes: [node('OR', [vuln('cpe:2.3:a:someone_else:foo:*:*:*:*:*:*:*:*', BELOW_2)])],
        },
      ],
      [],
    ],
  ];
  it.each(table)('%s', async (_name, configurations, expected) => {
    expect(await hits(configurations)).toEqual(expected);
  });

  it('an OS node never holds without a known distro', async () => {
    const cfg: CpeConfigRecord['configurations'] = [
      {
        operator: 'AND',
        nodes: [
          node('OR', [vuln(FOO, BELOW_2)]),
          node('OR', [env('cpe:2.3:o:debian:debian_linux:12.0:*:*:*:*:*:*:*')]),
        ],
      },
    ];
    const { findings } = await matchByCpe(doc([pkg('foo', '1.5')], undefined), source(cfg));
    expect(findings).toEqual([]);
  });

  it('confidence: 0.5 with bounds, 0.3 for an unbounded "every version" criterion', async () => {
    const bounded = await matchByCpe(
      doc([pkg('foo', '1.5')], DEBIAN_12),
      source([{ operator: 'OR', nodes: [node('OR', [vuln(FOO, BELOW_2)])] }]),
    );
    const unbounded = await matchByCpe(
      doc([pkg('foo', '1.5')], DEBIAN_12),
      source([{ operator: 'OR', nodes: [node('OR', [vuln(FOO)])] }]),
    );
    expect(bounded.findings.map((f) => [f.confidence, f.fixState, f.fixedVersions])).toEqual([
      [0.5, 'fixed', ['2.0']],
    ]);
    expect(unbounded.findings.map((f) => [f.confidence, f.fixState])).toEqual([[0.3, 'unknown']]);
  });

  it('bad input: unparsable criteria, bounds and versions become problems, never crashes', async () => {
    const cfg: CpeConfigRecord['configurations'] = [
      {
        operator: 'OR',
        nodes: [node('OR', [vuln('cpe:2.3:a:foo'), vuln(FOO, { versionEndExcluding: 'not a version!' })])],
      },
    ];
    const { findings, problems } = await matchByCpe(doc([pkg('foo', '1.5')], DEBIAN_12), source(cfg));
    expect(findings).toEqual([]);
    expect(problems.map((p) => p.reason)).toEqual([
      expect.stringContaining('invalid CPE 2.3 string "cpe:2.3:a:foo"'),
      expect.stringContaining('bound "not a version!" is not valid deb'),
    ]);
    const badVersion = await matchByCpe(
      doc([pkg('foo', 'garbage')], DEBIAN_12),
      source([{ operator: 'OR', nodes: [node('OR', [vuln(FOO, BELOW_2)])] }]),
    );
    expect(badVersion.findings).toEqual([]);
    expect(badVersion.problems[0]?.reason).toContain('installed version "garbage" is not valid deb');
  });

  it('bad input: a configuration nested deeper than NVD ever nests is refused as a problem', async () => {
    let deep = node('OR', [vuln(FOO, BELOW_2)]);
    for (let i = 0; i < 50; i++) deep = node('OR', [], [deep]);
    const { findings, problems } = await matchByCpe(
      doc([pkg('foo', '1.5')], DEBIAN_12),
      source([{ operator: 'OR', nodes: [deep] }]),
    );
    expect(findings).toEqual([]);
    expect(problems.some((p) => p.reason.includes('nested deeper than 8 levels'))).toBe(true);
  });
});
