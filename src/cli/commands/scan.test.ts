/**
 * `portcullis scan` through the real CLI entry on the app fixture,
 * against the real feeds of the shared mirror loaded into the embedded database under the
 * cache dir. The npm findings are checked against expectations computed here from the raw OSV
 * npm zip with the `semver` package; every output format is validated against its schema
 * (ours, CycloneDX 1.6, SARIF 2.1.0, GitLab container scanning 15.2.4) or with xmllint (JUnit).
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../test/support/golden.js';
import { FEED_DRIVERS } from '../../core/advisories/feeds/registry.js';
import type { Finding } from '../../core/matching/types.js';
import type { ScanReport } from '../../core/report/index.js';
import { gitlabReportValidator } from '../../core/report/test-support/gitlab-schema.js';
import { npmGroundTruth, NPM_PACKAGES } from '../../core/report/test-support/osv-npm-truth.js';
import { useLoadedScanEnv } from './test-support/scan-env.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';

const MIRROR = SHARED_DATA;
const GOLDEN = join(import.meta.dirname, '../../core/report/__golden__');
const GOLDEN_INPUT = `sbom:${join(import.meta.dirname, '../../core/report/__fixtures__/golden-input.cdx.json')}`;

const env = useLoadedScanEnv();

const unsuppressedAtLeastHigh = (r: ScanReport) =>
  r.findings.filter((f) => !f.suppressed && (f.severity === 'High' || f.severity === 'Critical'));

/** Machine- and time-dependent values replaced so golden files are stable. */
function redact(text: string): string {
  return text
    .replaceAll(env.fixture.ociLayoutDir, '<fixture>')
    .replaceAll(GOLDEN_INPUT.slice('sbom:'.length), '<golden-input>')
    .replaceAll(SHARED_DATA, '<shared-data>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<timestamp>');
}

describe('portcullis scan on the app fixture', () => {
  it('finds exactly the OSV advisories that semver says affect minimist, node-fetch and jsonwebtoken', async () => {
    const truth = await npmGroundTruth(join(MIRROR, 'osv/npm/all.zip'), env.fixture.rootfsDir);
    for (const name of NPM_PACKAGES) {
      const expected = truth.get(name);
      expect(expected?.size, `${name}: the OSV data has advisories for it`).toBeGreaterThan(0);
      const findings = env.report.findings.filter((f) => f.package.type === 'npm' && f.package.name === name);
      // Precision: every finding is one of the expected advisories (by id or alias).
      for (const f of findings) {
        expect(
          [f.id, ...f.aliases].some((id) => expected?.has(id)),
          `${name} ${f.id}`,
        ).toBe(true);
      }
      // Recall: every expected advisory is a finding (primary id or merged alias).
      const reported = new Set(findings.flatMap((f) => [f.id, ...f.aliases]));
      for (const id of expected ?? []) expect(reported.has(id), `${name} misses ${id}`).toBe(true);
    }
  });

  it('writes native JSON that validates against schema/portcullis-scan-1.0.schema.json', async () => {
    const schema = JSON.parse(
      await readFile(join(import.meta.dirname, '../../../schema/portcullis-scan-1.0.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(env.report), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(env.report.database.feeds.map((f) => f.source).sort()).toEqual(
      FEED_DRIVERS.map((d) => d.id).sort(),
    );
    expect(env.report.source.digest).toBe(env.fixture.hostManifest.manifestDigest);
    expect(env.report.distro?.id).toBe('debian');
    // The golden file comes from a committed SBOM, not the fixture image: the fixture is built
    // from the live Debian archive, whose versions move with each point release.
    const stable = await env.run(['scan', GOLDEN_INPUT, '-o', 'json']);
    expect(stable.code).toBe(0);
    expectGolden(join(GOLDEN, 'scan.json'), redact(stable.out));
  });

  it('prints a table with a row for every finding (one row per distinct package version)', async () => {
    const { code, text } = await env.scanTo(['-o', 'table']);
    expect(code).toBe(0);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^SEVERITY\s+ID\s+PACKAGE\s+INSTALLED\s+FIXED-IN\s+FIX STATE\s+EPSS\s+KEV\s+ORIGIN$/,
    );
    const rows = lines.slice(1, lines.indexOf('')).map((l) => l.split(/\s{2,}/));
    for (const f of env.report.findings) {
      const row = rows.find((r) => r[1] === f.id && r[2]?.split(' (')[0] === f.package.name);
      expect(row, `${f.id} ${f.package.name}`).toBeDefined();
      expect(row?.[0]).toBe(f.severity);
      expect(row?.[3]).toBe(f.package.version);
    }
    const distinct = new Set(
      env.report.findings.map((f) => `${f.id}|${f.package.name}|${f.package.version}`),
    );
    expect(rows.length).toBe(distinct.size);
    expect(text).toContain(`${env.report.findings.length} finding(s)`);
    const stable = await env.run(['scan', GOLDEN_INPUT, '-o', 'table']);
    expect(stable.code).toBe(0);
    expectGolden(join(GOLDEN, 'scan-table.txt'), redact(stable.out));
  });

  it('exits 2 on --fail-on high when high findings exist, 0 on a threshold nothing reaches', async () => {
    expect(unsuppressedAtLeastHigh(env.report).length).toBeGreaterThan(0);
    expect((await env.scanTo(['-o', 'json', '--fail-on', 'high'])).code).toBe(2);
    const critical = env.report.findings.some((f) => f.severity === 'Critical');
    expect((await env.scanTo(['-o', 'json', '--fail-on', 'CRITICAL'])).code).toBe(critical ? 2 : 0);
  });

  it('ignores suppressed findings for --fail-on and keeps them visible with their reason', async () => {
    const high = unsuppressedAtLeastHigh(env.report);
    const ignore = join(env.root, 'ignore.yaml');
    await writeFile(
      ignore,
      `ignore:\n${[...new Set(high.map((f) => f.id))]
        .map((id) => `  - vulnerability: ${id}\n    reason: accepted in test\n`)
        .join('')}`,
    );
    const { code, text } = await env.scanTo(['-o', 'json', '--fail-on', 'high', '--ignore-file', ignore]);
    expect(code).toBe(0);
    const out = JSON.parse(text) as ScanReport;
    expect(out.findings.length).toBe(env.report.findings.length);
    const suppressed = out.findings.filter((f) => f.suppressed);
    expect(suppressed.length).toBe(high.length);
    expect(suppressed.every((f) => f.suppressed?.by === 'ignore-rule')).toBe(true);
  });

  it('a VEX not_affected statement suppresses the finding in every format, visibly', async () => {
    const vex = join(env.root, 'app.openvex.json');
    await writeFile(
      vex,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/app-1',
        author: 'scan test',
        timestamp: '2026-01-01T00:00:00Z',
        version: 1,
        statements: [
          {
            vulnerability: { name: 'CVE-2022-0235' },
            products: [
              { '@id': 'pkg:npm/node-fetch@2.6.0', identifiers: { purl: 'pkg:npm/node-fetch@2.6.0' } },
            ],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
          },
        ],
      }),
    );
    const isFetch = (f: Finding) => f.id === 'GHSA-r683-j2x4-v87g' && f.package.name === 'node-fetch';
    const json = JSON.parse((await env.scanTo(['-o', 'json', '--vex', vex])).text) as ScanReport;
    const fetch = json.findings.filter(isFetch);
    expect(fetch.length).toBeGreaterThan(0);
    expect(fetch.every((f) => f.suppressed?.by === 'vex')).toBe(true);
    expect(json.findings.filter((f) => f.suppressed).length).toBe(fetch.length);

    const cdx = JSON.parse((await env.scanTo(['-o', 'cyclonedx-json', '--vex', vex])).text) as {
      vulnerabilities: { id: string; analysis?: { state: string } }[];
    };
    const states = cdx.vulnerabilities
      .filter((v) => v.id === 'GHSA-r683-j2x4-v87g')
      .map((v) => v.analysis?.state);
    expect(states).toEqual(fetch.map(() => 'not_affected'));

    const sarif = JSON.parse((await env.scanTo(['-o', 'sarif', '--vex', vex])).text) as {
      runs: { results: { ruleId: string; suppressions?: { kind: string }[] }[] }[];
    };
    const suppressedResults = (sarif.runs[0]?.results ?? []).filter((r) => r.suppressions?.length);
    expect(suppressedResults.map((r) => r.ruleId)).toEqual(fetch.map(() => 'GHSA-r683-j2x4-v87g'));

    const junit = await env.scanTo(['-o', 'junit', '--vex', vex, '--fail-on', 'high']);
    const file = join(env.root, 'junit-vex.xml');
    await writeFile(file, junit.text);
    const skipped = execFileSync('xmllint', ['--xpath', 'count(//testcase/skipped)', file]).toString().trim();
    expect(Number(skipped)).toBe(fetch.length);

    const table = (await env.scanTo(['-o', 'table', '--vex', vex])).text;
    expect(table).toContain(`Suppressed (${fetch.length}):`);
    expect(table).toMatch(/GHSA-r683-j2x4-v87g\s+node-fetch\s+2\.6\.0\s+vex\s+\S/);
  });

  it('--only-fixed keeps exactly the findings that have a fixed version', async () => {
    const { code, text } = await env.scanTo(['-o', 'json', '--only-fixed']);
    expect(code).toBe(0);
    const out = JSON.parse(text) as ScanReport;
    const key = (f: Finding) => `${f.id}|${f.package.id}`;
    const expected = env.report.findings.filter((f) => f.fixState === 'fixed' && f.fixedVersions.length);
    expect(out.findings.map(key).sort()).toEqual(expected.map(key).sort());
    expect(out.findings.every((f) => f.fixedVersions.length > 0)).toBe(true);
  });

  it('--sort-by epss orders by EPSS score, highest first; --sort-by package by name', async () => {
    const byEpss = JSON.parse((await env.scanTo(['-o', 'json', '--sort-by', 'epss'])).text) as ScanReport;
    const scores = byEpss.findings.map((f) => f.epss?.score ?? -1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const byName = JSON.parse((await env.scanTo(['-o', 'json', '--sort-by', 'package'])).text) as ScanReport;
    const names = byName.findings.map((f) => f.package.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('--base-layers 1 marks the debootstrap layer as base and the npm layer as app', async () => {
    // The fixture's history has no CMD/ENTRYPOINT closing a base image: origin stays unknown.
    expect(env.report.baseLayerCount).toBeUndefined();
    expect(env.report.findings.every((f) => f.origin === 'unknown')).toBe(true);
    const out = JSON.parse((await env.scanTo(['-o', 'json', '--base-layers', '1'])).text) as ScanReport;
    const layer0 = out.source.layers[0]?.diffId;
    for (const f of out.findings) {
      expect(f.origin, `${f.id} ${f.package.name}`).toBe(f.originLayer === layer0 ? 'base' : 'app');
    }
    expect(out.findings.some((f) => f.package.type === 'npm' && f.origin === 'app')).toBe(true);
  });

  it('writes CycloneDX 1.6 with one vulnerability per finding, aliases as references, affects = bom-ref', async () => {
    const { code, text } = await env.scanTo(['-o', 'cyclonedx-json']);
    expect(code).toBe(0);
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    expect(await validator.validate(text)).toBeNull();
    const bom = JSON.parse(text) as {
      components: { 'bom-ref': string; purl?: string }[];
      vulnerabilities: {
        id: string;
        references?: { id: string }[];
        affects: { ref: string }[];
        ratings: unknown[];
      }[];
    };
    expect(bom.vulnerabilities.length).toBe(env.report.findings.length);
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    for (const f of env.report.findings) {
      const v = bom.vulnerabilities.find(
        (x) => x.id === f.id && x.affects.some((a) => a.ref === f.package.id),
      );
      expect(v, `${f.id} on ${f.package.id}`).toBeDefined();
      expect(refs.has(f.package.id)).toBe(true);
      expect((v?.references ?? []).map((r) => r.id).sort()).toEqual([...f.aliases].sort());
    }
    const fetchAdvisory = bom.vulnerabilities.find((v) => v.id === 'GHSA-r683-j2x4-v87g');
    expect(fetchAdvisory?.references?.map((r) => r.id)).toContain('CVE-2022-0235');
  });

  it('writes SARIF that validates against the SARIF 2.1.0 schema, errors exactly at --fail-on', async () => {
    const { code, text } = await env.scanTo(['-o', 'sarif', '--fail-on', 'high']);
    expect(code).toBe(2);
    const schema = JSON.parse(
      await readFile(
        join(
          import.meta.dirname,
          '../../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
        ),
        'utf8',
      ),
    ) as object;
    // The official schema has a pattern that is only valid without the `u` flag (as in draft-04 tools).
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(text) as { runs: { results: { level: string; ruleId: string }[] }[] };
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const results = log.runs[0]?.results ?? [];
    expect(results.length).toBe(env.report.findings.length);
    expect(results.filter((r) => r.level === 'error').length).toBe(
      unsuppressedAtLeastHigh(env.report).length,
    );
  });

  it('writes a GitLab container-scanning report valid against its schema, one entry per unsuppressed finding', async () => {
    const { code, text } = await env.scanTo(['-o', 'gitlab']);
    expect(code).toBe(0);
    const doc = JSON.parse(text) as { vulnerabilities: { name: string; location: { image: string } }[] };
    const validate = await gitlabReportValidator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.vulnerabilities.map((v) => v.name).sort()).toEqual(
      env.report.findings
        .filter((f) => !f.suppressed)
        .map((f) => f.id)
        .sort(),
    );
    // GitLab's scan times have no zone or fraction: redacted here with the ISO ones.
    const stable = await env.run(['scan', GOLDEN_INPUT, '-o', 'gitlab']);
    expect(stable.code).toBe(0);
    expectGolden(
      join(GOLDEN, 'scan-gitlab.json'),
      redact(stable.out).replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?=")/g, '<timestamp>'),
    );
  });

  it('writes well-formed JUnit XML with one testcase per finding and failures at --fail-on', async () => {
    const { code, text } = await env.scanTo(['-o', 'junit', '--fail-on', 'high']);
    expect(code).toBe(2);
    const file = join(env.root, 'junit.xml');
    await writeFile(file, text);
    execFileSync('xmllint', ['--noout', file]);
    const count = (xpath: string) =>
      Number(execFileSync('xmllint', ['--xpath', xpath, file]).toString().trim());
    expect(count('count(//testcase)')).toBe(env.report.findings.length);
    expect(count('count(//testcase/failure)')).toBe(unsuppressedAtLeastHigh(env.report).length);
  });

  it('scans an SBOM file (sbom:) to the same findings as the image', async () => {
    const sbomFile = join(env.root, 'app.sbom.json');
    const sbom = await env.run(['sbom', env.source, '-o', 'native', '--file', sbomFile]);
    expect(sbom.code).toBe(0);
    const { code, err } = await env.run([
      'scan',
      `sbom:${sbomFile}`,
      '-o',
      'json',
      '--file',
      join(env.root, 'sbom-scan.json'),
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(await readFile(join(env.root, 'sbom-scan.json'), 'utf8')) as ScanReport;
    const key = (f: Finding) => `${f.id}|${f.package.id}`;
    expect(out.findings.map(key).sort()).toEqual(env.report.findings.map(key).sort());
  });
});

describe('bad input', () => {
  it('refuses an empty database and tells the user to run db update', async () => {
    const { code, err } = await env.run(['scan', env.source], join(env.root, 'empty-cache'));
    expect(code).toBe(1);
    expect(err).toContain('portcullis db update');
  });

  it.each([
    [['--fail-on', 'severe'], '--fail-on must be one of'],
    [['--base-layers', '99'], '--base-layers must be an integer from 0 to'],
    [['--base-layers', '-1'], '--base-layers'],
    [['-o', 'html'], 'html'],
    [['--sort-by', 'age'], 'age'],
    [['--vex', '/nonexistent/vex.json'], 'cannot read VEX document /nonexistent/vex.json'],
    [['--ignore-file', '/nonexistent/ignore.yaml'], 'cannot read ignore file /nonexistent/ignore.yaml'],
    // An endless device is cut off at the input limit, not read until memory runs out.
    [['--vex', '/dev/zero'], 'VEX document /dev/zero is a character device, not a file or a pipe'],
  ])('%j is an error naming the problem', async (args, message) => {
    const { code, err } = await env.run(['scan', env.source, ...args]);
    expect(code).toBe(1);
    expect(err).toContain(message);
  });

  it('a malformed VEX document is an error naming the file', async () => {
    const vex = join(env.root, 'bad.vex.json');
    await writeFile(vex, '{"statements": [');
    const { code, err } = await env.run(['scan', env.source, '--vex', vex]);
    expect(code).toBe(1);
    expect(err).toContain(vex);
  });

  it('a missing SBOM file is an error naming it', async () => {
    const { code, err } = await env.run(['scan', 'sbom:/nonexistent/sbom.json']);
    expect(code).toBe(1);
    expect(err).toContain('/nonexistent/sbom.json');
  });

  it('an unwritable --file is an error naming the path', async () => {
    const { code, err } = await env.run(['scan', env.source, '--file', '/nonexistent/dir/report.txt']);
    expect(code).toBe(1);
    expect(err).toContain('/nonexistent/dir/report.txt');
  });
});
