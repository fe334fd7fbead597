/**
 * VEX documents written by hand from the OpenVEX v0.2.0 and CycloneDX 1.6 specifications; the
 * expected outcome of each case follows from the spec's status semantics.
 */
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../errors.js';
import { applySuppressions } from './apply.js';
import { finding } from './test-support.js';
import { parseVexText } from './vex.js';

const now = new Date('2026-01-01T00:00:00Z');
const minimist = finding(
  'GHSA-xvch-5gv4-984h',
  {
    name: 'minimist',
    version: '1.2.0',
    type: 'npm',
    purl: 'pkg:npm/minimist@1.2.0',
    path: '/app/node_modules/minimist/package.json',
  },
  { aliases: ['CVE-2021-44906'] },
);
const libc = finding('CVE-2023-4911', {
  name: 'libc6',
  version: '2.36-9+deb12u1',
  type: 'deb',
  purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12',
});

function openvex(statements: unknown[], timestamp = '2025-01-01T00:00:00Z'): string {
  return JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/1',
    author: 'test',
    timestamp,
    version: 1,
    statements,
  });
}

async function run(vexTexts: string[], findings = [minimist, libc]) {
  let order = 0;
  const vex = vexTexts.map((t, i) => {
    const d = parseVexText(`vex-${i}.json`, t, order);
    order += d.statements.length;
    return d;
  });
  return applySuppressions(findings, { vex, now });
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isPortcullisError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a PortcullisError');
}

describe('OpenVEX', () => {
  it('not_affected by alias and version-less PURL suppresses, keeps the finding and its justification', async () => {
    const { findings, report } = await run([
      openvex([
        {
          vulnerability: { name: 'CVE-2021-44906' },
          products: [{ '@id': 'pkg:npm/minimist' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impact_statement: 'parse() never sees user input',
        },
      ]),
    ]);
    expect(findings).toHaveLength(2);
    expect(findings[0]?.suppressed?.by).toBe('vex');
    expect(findings[0]?.suppressed?.reason).toContain('vulnerable_code_not_in_execute_path');
    expect(findings[0]?.suppressed?.reason).toContain('parse() never sees user input');
    expect(findings[1]?.suppressed).toBeUndefined();
    expect(report.statements[0]).toMatchObject({ applied: 1, overridden: 0, location: 'statements[0]' });
  });

  it('qualifiers in the product must match; qualifiers absent from the product match any', async () => {
    const stmt = (id: string) => ({
      vulnerability: { name: 'CVE-2023-4911' },
      products: [{ '@id': id }],
      status: 'fixed',
    });
    const wrongArch = await run([openvex([stmt('pkg:deb/debian/libc6?arch=arm64')])]);
    expect(wrongArch.findings[1]?.suppressed).toBeUndefined();
    expect(wrongArch.report.statements[0]?.applied).toBe(0);
    const rightArch = await run([openvex([stmt('pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64')])]);
    expect(rightArch.findings[1]?.suppressed?.by).toBe('vex');
    const otherVersion = await run([openvex([stmt('pkg:deb/debian/libc6@2.36-9%2Bdeb12u7')])]);
    expect(otherVersion.findings[1]?.suppressed).toBeUndefined();
  });

  it('the latest statement for a (vulnerability, product) wins, across documents', async () => {
    const notAffected = openvex(
      [
        {
          vulnerability: { name: 'GHSA-xvch-5gv4-984h' },
          products: [{ '@id': 'pkg:npm/minimist@1.2.0' }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ],
      '2025-01-01T00:00:00Z',
    );
    const affected = openvex(
      [
        {
          vulnerability: { name: 'GHSA-xvch-5gv4-984h' },
          products: [{ '@id': 'pkg:npm/minimist@1.2.0' }],
          status: 'affected',
          action_statement: 'upgrade to 1.2.6',
        },
      ],
      '2025-06-01T00:00:00Z',
    );
    for (const order of [
      [notAffected, affected],
      [affected, notAffected],
    ]) {
      const { findings, report } = await run(order);
      expect(findings[0]?.suppressed).toBeUndefined();
      expect(report.annotations).toHaveLength(1);
      expect(report.annotations[0]).toMatchObject({ status: 'affected', findingId: 'GHSA-xvch-5gv4-984h' });
      expect(report.annotations[0]?.note).toContain('upgrade to 1.2.6');
      expect(report.statements.map((s) => s.overridden).sort()).toEqual([0, 1]);
    }
  });

  it('subcomponents of an image product name the packages; under_investigation changes nothing', async () => {
    const { findings, report } = await run([
      openvex([
        {
          vulnerability: { name: 'CVE-2023-4911' },
          products: [
            { '@id': 'pkg:oci/app@sha256%3Aabc', subcomponents: [{ '@id': 'pkg:deb/debian/libc6' }] },
          ],
          status: 'not_affected',
          justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
        },
        {
          vulnerability: { name: 'CVE-2021-44906' },
          products: [
            { '@id': 'pkg:oci/app', subcomponents: [{ identifiers: { purl: 'pkg:npm/minimist' } }] },
          ],
          status: 'under_investigation',
        },
      ]),
    ]);
    expect(findings[1]?.suppressed?.by).toBe('vex');
    expect(findings[0]?.suppressed).toBeUndefined();
    expect(report.annotations).toEqual([]);
    expect(report.statements.map((s) => s.applied)).toEqual([1, 1]);
  });

  it('accepts the pre-0.2.0 shorthand: vulnerability and products as bare strings', async () => {
    const { findings } = await run([
      openvex([{ vulnerability: 'CVE-2021-44906', products: ['pkg:npm/minimist@1.2.0'], status: 'fixed' }]),
    ]);
    expect(findings[0]?.suppressed?.by).toBe('vex');
  });

  it('a statement that matches nothing is reported with applied 0', async () => {
    const { report } = await run([
      openvex([
        {
          vulnerability: { name: 'CVE-1999-0001' },
          products: [{ '@id': 'pkg:npm/left-pad' }],
          status: 'fixed',
        },
      ]),
    ]);
    expect(report.statements).toEqual([
      expect.objectContaining({ vulnerability: 'CVE-1999-0001', applied: 0, overridden: 0 }),
    ]);
  });
});

describe('CycloneDX VEX', () => {
  const bom = (vulnerabilities: unknown[]) =>
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      metadata: { timestamp: '2025-01-01T00:00:00Z' },
      components: [
        { 'bom-ref': 'comp-minimist', type: 'library', name: 'minimist', purl: 'pkg:npm/minimist@1.2.0' },
      ],
      vulnerabilities,
    });

  it('resolves bom-refs to component PURLs and accepts PURL refs; states map to suppress/annotate', async () => {
    const text = bom([
      {
        id: 'CVE-2021-44906',
        analysis: { state: 'false_positive', detail: 'not reachable' },
        affects: [{ ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#comp-minimist' }],
      },
      {
        id: 'CVE-2023-4911',
        analysis: { state: 'exploitable', response: ['update'] },
        affects: [{ ref: 'pkg:deb/debian/libc6' }],
      },
      { id: 'CVE-2024-0001', affects: [{ ref: 'comp-minimist' }] },
    ]);
    // The document is valid CycloneDX 1.6 by the official schema, not just by our reader.
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text)).toBeNull();
    const { findings, report } = await run([text]);
    expect(findings[0]?.suppressed).toMatchObject({ by: 'vex' });
    expect(findings[0]?.suppressed?.reason).toContain('not reachable');
    expect(findings[1]?.suppressed).toBeUndefined();
    expect(report.annotations).toEqual([
      expect.objectContaining({ status: 'exploitable', packageId: libc.package.id }),
    ]);
    // The listing without analysis is not a statement.
    expect(report.statements).toHaveLength(2);
  });

  it('a ref equal to the package id matches (our own CycloneDX output uses package ids as bom-refs)', async () => {
    const { findings } = await run([
      bom([{ id: 'CVE-2023-4911', analysis: { state: 'resolved' }, affects: [{ ref: libc.package.id }] }]),
    ]);
    expect(findings[1]?.suppressed?.by).toBe('vex');
  });
});

describe('bad VEX input', () => {
  it('names the file and JSON path', () => {
    expect(errorOf(() => parseVexText('a.json', '{"@context":'))).toMatchObject({ code: 'VEX_INVALID' });
    expect(errorOf(() => parseVexText('a.json', '{"hello":1}')).message).toContain('neither OpenVEX');
    const badStatus = errorOf(() =>
      parseVexText(
        'b.json',
        openvex([{ vulnerability: { name: 'X' }, products: [{ '@id': 'pkg:npm/a' }], status: 'fine' }]),
      ),
    );
    expect(badStatus.message).toMatch(/^b\.json: statements\[0\]\.status: /);
    const noJustification = errorOf(() =>
      parseVexText(
        'c.json',
        openvex([
          { vulnerability: { name: 'X' }, products: [{ '@id': 'pkg:npm/a' }], status: 'not_affected' },
        ]),
      ),
    );
    expect(noJustification.message).toContain('c.json: statements[0]: status not_affected needs');
    const noProduct = errorOf(() =>
      parseVexText('d.json', openvex([{ vulnerability: { name: 'X' }, products: [{}], status: 'fixed' }])),
    );
    expect(noProduct.message).toContain('statements[0].products[0]');
    const cdx = errorOf(() =>
      parseVexText(
        'e.json',
        JSON.stringify({
          bomFormat: 'CycloneDX',
          specVersion: '1.6',
          vulnerabilities: [{ id: 'X', analysis: { state: 'maybe' }, affects: [{ ref: 'a' }] }],
        }),
      ),
    );
    expect(cdx.message).toMatch(/^e\.json: vulnerabilities\[0\]\.analysis\.state: /);
    const badTime = errorOf(() =>
      parseVexText(
        'f.json',
        openvex([
          {
            vulnerability: { name: 'X' },
            products: [{ '@id': 'pkg:npm/a' }],
            status: 'fixed',
            timestamp: 'yesterday',
          },
        ]),
      ),
    );
    expect(badTime.message).toMatch(/^f\.json: statements\[0\]\.timestamp: /);
    const bigBytes = Buffer.alloc(33 * 1024 * 1024, 0x20);
    expect(errorOf(() => parseVexText('big.json', bigBytes)).message).toContain('exceeds');
  });
});
