/**
 * Gates fail closed on a distro without vulnerability data, through the real CLI on the shared
 * mirror (whose amazon-alas feed holds 0 records and whose osv feed has no Ubuntu): the app
 * fixture's SBOM, with its distro rewritten, must not come out "No vulnerabilities found" and
 * pass. Debian (in the mirror) and an image without OS packages stay as they were.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS, type ScanReport } from '../../core/report/index.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import { useLoadedScanEnv } from './test-support/scan-env.js';

const env = useLoadedScanEnv();
const GAP = 'Vulnerability data not available for the image distro: amzn:2023';

/** The fixture's SBOM as an Amazon Linux 2023 image (its debs become rpms), or `change`d. */
async function sbom(name: string, change: (doc: SbomDocument) => SbomDocument): Promise<string> {
  const native = join(env.root, 'app.sbom.json');
  const made = await env.run(['sbom', env.source, '-o', 'native', '--file', native]);
  expect(made.code, made.err).toBe(0);
  const doc = JSON.parse(await readFile(native, 'utf8')) as SbomDocument;
  const file = join(env.root, `${name}.sbom.json`);
  await writeFile(file, JSON.stringify(change(doc)));
  return `sbom:${file}`;
}

const asAmazon = (doc: SbomDocument): SbomDocument => ({
  ...doc,
  distro: { id: 'amzn', versionId: '2023', idLike: ['fedora'], prettyName: 'Amazon Linux 2023' },
  packages: doc.packages.map((p) =>
    p.type === 'deb' ? { ...p, type: 'rpm', purl: p.purl.replace(/^pkg:deb\/debian\//, 'pkg:rpm/amzn/') } : p,
  ),
});

const npmFindings = (r: ScanReport) => r.findings.filter((f) => f.package.type === 'npm');

describe('a distro without vulnerability data', () => {
  it('fails scan --fail-on and evaluate closed (exit 1), naming the distro and the empty feed', async () => {
    const source = await sbom('amzn', asAmazon);
    const scanned = await env.run(['scan', source, '--fail-on', 'low']);
    expect(scanned.code, scanned.err).toBe(1);
    expect(scanned.err).toContain(`[NO_VULNERABILITY_DATA]`);
    expect(scanned.err).toContain(`${GAP}: the amazon-alas feed holds 0 records`);
    expect(scanned.err).toContain('--allow-no-vuln-data');
    expect(scanned.out).toContain(`Warning: ${GAP}`);
    expect(scanned.out).not.toContain('No vulnerabilities found.');

    const evaluated = await env.run([
      'evaluate',
      source,
      '--policy',
      'builtin:reject-critical',
      '-o',
      'json',
    ]);
    expect(evaluated.code, evaluated.err).toBe(1);
    expect(evaluated.err).toContain('[NO_VULNERABILITY_DATA]');
    const decision = JSON.parse(evaluated.out) as {
      final_action: string;
      reason: string;
      fail_closed: { code: string; distro: string; message: string }[];
    };
    expect(decision).toMatchObject({ final_action: 'STOP', reason: 'vulnerability_data_unavailable' });
    expect(decision.fail_closed).toEqual([
      expect.objectContaining({ code: 'VULNERABILITY_DATA_UNAVAILABLE', distro: 'amzn:2023' }),
    ]);
    const table = await env.run(['evaluate', source, '--policy', 'builtin:reject-critical']);
    expect(table.out).toMatch(
      /Fail-closed: +Vulnerability data not available for the image distro: amzn:2023/,
    );
  });

  it('--allow-no-vuln-data judges by the findings; the language packages are still matched', async () => {
    const source = await sbom('amzn', asAmazon);
    const run = await env.run(['scan', source, '--fail-on', 'low', '--allow-no-vuln-data', '-o', 'json']);
    expect(run.code, run.err).toBe(2);
    const report = JSON.parse(run.out) as ScanReport;
    expect(report.database.distroGap).toMatchObject({ distro: 'amzn:2023', namespace: 'amzn:2023' });
    expect(npmFindings(report).length).toBe(npmFindings(env.report).length);
    expect(npmFindings(report).length).toBeGreaterThan(0);
    // reject-critical carries vulnerability_data_unavailable itself: opting out of the
    // fail-closed rule does not opt out of the bundle.
    const evaluated = await env.run([
      'evaluate',
      source,
      '--policy',
      'builtin:reject-critical',
      '--allow-no-vuln-data',
      '-o',
      'json',
    ]);
    expect(evaluated.code, evaluated.err).toBe(2);
    const decision = JSON.parse(evaluated.out) as { fail_closed: unknown[]; triggers: { trigger: string }[] };
    expect(decision.fail_closed).toEqual([]);
    expect(decision.triggers.map((t) => t.trigger)).toContain('vulnerability_data_unavailable');
  });

  it('carries the warning in every output format', async () => {
    const source = await sbom('amzn', asAmazon);
    const schema = JSON.parse(
      await readFile(join(import.meta.dirname, '../../../schema/portcullis-scan-1.0.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    for (const format of REPORT_FORMATS) {
      const run = await env.run(['scan', source, '-o', format]);
      expect(run.code, `${format}: ${run.err}`).toBe(0);
      expect(run.out, format).toContain(GAP);
      expect(run.err, format).toContain(`warning: ${GAP}`);
      if (format === 'json')
        expect(validate(JSON.parse(run.out)), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('names the OSV ecosystem an Ubuntu image lacks', async () => {
    const source = await sbom('ubuntu', (doc) => ({ ...doc, distro: { id: 'ubuntu', versionId: '22.04' } }));
    const run = await env.run(['scan', source, '--fail-on', 'critical']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'Vulnerability data not available for the image distro: ubuntu:22.04: the osv feed (OSV ecosystem Ubuntu) holds no advisories for ubuntu:22.04',
    );
  });

  it('leaves Debian (in the mirror) and an image without OS packages as they were', async () => {
    expect(env.report.database.distroGap).toBeUndefined();
    const debian = await env.run(['evaluate', env.source, '--policy', 'builtin:allow-all', '-o', 'json']);
    expect(debian.code, debian.err).toBe(0);
    expect((JSON.parse(debian.out) as { fail_closed: unknown[] }).fail_closed).toEqual([]);
    const scratch = await sbom('scratch', (doc) => {
      const { distro: _distro, ...rest } = doc;
      return { ...rest, packages: doc.packages.filter((p) => p.type === 'npm') };
    });
    const run = await env.run(['scan', scratch, '--fail-on', 'critical', '-o', 'json']);
    expect(run.err).not.toContain('NO_VULNERABILITY_DATA');
    const report = JSON.parse(run.out) as ScanReport;
    expect(report.database.distroGap).toBeUndefined();
    expect(npmFindings(report).length).toBe(npmFindings(env.report).length);
  });
});
