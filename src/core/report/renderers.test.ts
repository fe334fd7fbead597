/**
 * The renderers on hostile text: package names, paths and summaries with XML metacharacters,
 * control characters, spaces and non-ASCII must still give well-formed XML (xmllint), a SARIF
 * log valid against the SARIF 2.1.0 schema, a CycloneDX 1.6 document valid against the
 * official schema and a GitLab container-scanning report valid against its schema (15.2.4); and
 * an empty scan renders in every format.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../matching/types.js';
import type { SbomDocument } from '../sbom/document.js';
import { parseSeverity, parseSortKey, RENDERERS, REPORT_FORMATS, type ScanReport } from './index.js';
import { gitlabReportValidator } from './test-support/gitlab-schema.js';

const HOSTILE = 'a<b>&"c\' \u0001\u0007\u001b[31m é 漢字 \u{1F600}';

const pkg = {
  id: 'npm:evil@1.0.0:/app/node_modules/ev il/package.json',
  name: `evil${HOSTILE}`,
  version: '1.0.0',
  type: 'npm' as const,
  purl: 'pkg:npm/evil@1.0.0',
  path: `/app/node_modules/ev il/${HOSTILE}/package.json`,
};

const finding: Finding = {
  id: 'GHSA-xxxx-yyyy-zzzz',
  aliases: ['CVE-2099-0001'],
  package: pkg,
  fixState: 'fixed',
  fixedVersions: ['1.0.1'],
  severity: 'High',
  severities: [{ source: 'osv:npm', scheme: 'label', label: 'HIGH' }],
  cvss: [],
  origin: 'unknown',
  confidence: 1,
  summary: HOSTILE,
  evidence: [
    {
      advisoryId: 'GHSA-xxxx-yyyy-zzzz',
      namespace: 'osv:npm',
      lookupName: 'evil',
      comparedVersion: '1.0.0',
      scheme: 'semver',
      matchedRange: { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] },
      strategy: 'language-package',
      source: { driver: 'osv', file: 'all.zip!x.json', recordId: 'GHSA-xxxx-yyyy-zzzz' },
    },
  ],
};

function documentWith(withPackage: boolean): SbomDocument {
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    source: { type: 'sbom', input: `sbom:${HOSTILE}.json`, layers: [] },
    packages: withPackage
      ? [{ ...pkg, licenses: [], locations: [{ path: pkg.path }], foundBy: 'test@1', metadata: {} }]
      : [],
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
  };
}

function reportWith(findings: Finding[]): ScanReport {
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    source: { type: 'sbom', input: `sbom:${HOSTILE}.json`, layers: [] },
    database: { feeds: [] },
    failOn: 'Medium',
    findings,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-report-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function sarifValidator(): Promise<(value: unknown) => boolean> {
  const schema = JSON.parse(
    await readFile(
      join(
        import.meta.dirname,
        '../../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
      ),
      'utf8',
    ),
  ) as object;
  // The official schema has a pattern that is only valid without the `u` flag.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

describe.each([
  ['one hostile finding', [finding], true],
  [
    'a suppressed hostile finding',
    [{ ...finding, suppressed: { by: 'vex' as const, reason: HOSTILE } }],
    true,
  ],
  ['no findings', [], false],
])('renderers with %s', (_name, findings, withPackage) => {
  const input = { report: reportWith(findings), document: documentWith(withPackage) };

  it('JUnit is well-formed XML with the control characters dropped', async () => {
    const file = join(dir, 'junit.xml');
    await writeFile(file, RENDERERS.junit(input));
    execFileSync('xmllint', ['--noout', file]);
    const count = (xpath: string) =>
      Number(execFileSync('xmllint', ['--xpath', xpath, file]).toString().trim());
    expect(count('count(//testcase)')).toBe(findings.length);
    expect(count('count(//testcase/failure)')).toBe(findings.filter((f) => !f.suppressed).length);
    expect(count('count(//testcase/skipped)')).toBe(findings.filter((f) => f.suppressed).length);
  });

  it('SARIF validates against the SARIF 2.1.0 schema', async () => {
    const validate = await sarifValidator();
    expect(validate(JSON.parse(RENDERERS.sarif(input)))).toBe(true);
  });

  it('CycloneDX validates against the CycloneDX 1.6 schema', async () => {
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    expect(await validator.validate(RENDERERS['cyclonedx-json'](input))).toBeNull();
  });

  it('GitLab validates against the container-scanning schema; suppressed findings are left out', async () => {
    const validate = await gitlabReportValidator();
    const doc = JSON.parse(RENDERERS.gitlab(input)) as {
      vulnerabilities: { name: string; location: { dependency: { package: { name: string } } } }[];
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const shown = findings.filter((f) => !f.suppressed);
    expect(doc.vulnerabilities.map((v) => v.name)).toEqual(shown.map((f) => f.id));
    for (const v of doc.vulnerabilities) expect(v.location.dependency.package.name).toBe(pkg.name);
  });

  it('table and JSON render; JSON round-trips the findings exactly', () => {
    const table = RENDERERS.table(input);
    expect(table).toContain(findings.length ? finding.id : 'No vulnerabilities found.');
    expect((JSON.parse(RENDERERS.json(input)) as ScanReport).findings).toEqual(findings);
  });
});

describe.each([
  [
    'stale data',
    { available: true, oldestSyncAt: '2025-12-01T00:00:00.000Z', staleAfterHours: 48, stale: true },
    /vulnerability data is stale: last synced 2025-12-01T00:00:00\.000Z, older than 48 h/,
  ],
  ['no data', { available: false, staleAfterHours: 48, stale: false }, /vulnerability database was empty/],
])('every format says so with %s', (_name, state, notice) => {
  const input = {
    report: { ...reportWith([finding]), database: { feeds: [], ...state } },
    document: documentWith(true),
  };

  it('table: a warning before the findings', () => {
    const table = RENDERERS.table(input);
    expect(table.split('\n')[0]).toMatch(notice);
    expect(table.split('\n')[0]).toMatch(/^Warning: /);
  });

  it('JSON: the database state', () => {
    expect((JSON.parse(RENDERERS.json(input)) as ScanReport).database).toEqual({ feeds: [], ...state });
  });

  it('SARIF: a tool execution notification, still a valid log', async () => {
    const log = JSON.parse(RENDERERS.sarif(input)) as {
      runs: {
        invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[];
      }[];
    };
    const note = log.runs[0]?.invocations[0]?.toolExecutionNotifications[0];
    expect(note?.level).toBe('warning');
    expect(note?.message.text).toMatch(notice);
    expect((await sarifValidator())(log)).toBe(true);
  });

  it('CycloneDX: a metadata property, still a valid BOM', async () => {
    const text = RENDERERS['cyclonedx-json'](input);
    const bom = JSON.parse(text) as { metadata: { properties?: { name: string; value: string }[] } };
    const prop = bom.metadata.properties?.find((p) => p.name === 'portcullis:vulnerability-data');
    expect(prop?.value).toMatch(notice);
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text)).toBeNull();
  });

  it('GitLab: a warn message on the scan, still a valid report', async () => {
    const doc = JSON.parse(RENDERERS.gitlab(input)) as {
      scan: { messages: { level: string; value: string }[] };
    };
    expect(doc.scan.messages[0]?.level).toBe('warn');
    expect(doc.scan.messages[0]?.value).toMatch(notice);
    expect((await gitlabReportValidator())(doc)).toBe(true);
  });

  it('JUnit: a suite property, still well-formed XML', async () => {
    const file = join(dir, 'junit-notice.xml');
    await writeFile(file, RENDERERS.junit(input));
    execFileSync('xmllint', ['--noout', file]);
    const value = execFileSync('xmllint', [
      '--xpath',
      'string(//testsuite/properties/property[@name="portcullis.vulnerability-data"]/@value)',
      file,
    ]).toString();
    expect(value).toMatch(notice);
  });
});

describe('flag values', () => {
  it('lists every format it renders', () => {
    expect(Object.keys(RENDERERS).sort()).toEqual([...REPORT_FORMATS].sort());
  });

  it.each(['none', '', 'unknown', 'hi'])('--fail-on %j is a precise error', (text) => {
    expect(() => parseSeverity(text)).toThrow(
      /--fail-on must be one of negligible, low, medium, high, critical/,
    );
  });

  it.each([
    ['LOW', 'Low'],
    ['critical', 'Critical'],
    ['Negligible', 'Negligible'],
  ])('--fail-on %s reads as %s', (text, expected) => {
    expect(parseSeverity(text)).toBe(expected);
  });

  it('--sort-by rejects unknown keys', () => {
    expect(() => parseSortKey('date')).toThrow(/--sort-by must be one of severity, epss, kev, package/);
  });
});
