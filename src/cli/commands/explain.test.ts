/**
 * `portcullis explain` through the real CLI entry on the app fixture, against the shared
 * mirror's feeds: the evidence chain of an OSV finding, and of a Debian finding checked with
 * dpkg itself; and the distinct answers for an unknown, a malformed and an already-fixed id.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dpkgQuery } from '../../../test/support/dpkg-truth.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { openVulnerabilityDatabase } from '../analyze.js';
import { useLoadedScanEnv } from './test-support/scan-env.js';

const MIRROR = SHARED_DATA;
const env = useLoadedScanEnv();

describe('portcullis explain', () => {
  it('prints the evidence chain for an alias: record, range, scheme, fix, enrichment', async () => {
    const { code, out } = await env.run(['explain', 'cve-2022-0235', env.source]);
    expect(code).toBe(0);
    expect(out).toContain('GHSA-r683-j2x4-v87g (aliases: CVE-2022-0235)');
    expect(out).toContain('node-fetch 2.6.0 (npm)');
    expect(out).toContain(`file ${MIRROR}/osv/npm/all.zip!GHSA-r683-j2x4-v87g.json`);
    expect(out).toContain('scheme:   semver');
    expect(out).toContain('range:    SEMVER [introduced: from the start, fixed: 2.6.7]');
    expect(out).toContain('fixed in 2.6.7');
    expect(out).toMatch(/EPSS:\s+0\.\d+ \(percentile/);
  });

  it('explains a Debian finding by source package, deb scheme and tracker record, as dpkg sees it', async () => {
    const deb = env.report.findings.find((f) => f.package.type === 'deb' && f.evidence[0]?.matchedRange);
    expect(deb).toBeDefined();
    const evidence = deb?.evidence[0];
    const { code, out } = await env.run(['explain', deb?.id ?? '', env.source]);
    expect(code).toBe(0);
    // Ground truth from dpkg itself: the package's source name and version, and the comparison.
    const [sourceName, sourceVersion] =
      dpkgQuery(env.fixture.rootfsDir, ['source:Package', 'source:Version'], [deb?.package.name ?? ''])[0] ??
      [];
    expect(out).toContain(`distro-source-package "${sourceName}", compared version ${sourceVersion}`);
    expect(out).toContain('scheme:   deb');
    expect(out).toContain(`in namespace ${evidence?.namespace}`);
    expect(out).toContain(`driver debian-tracker, file ${MIRROR}/debian/tracker.json`);
    const fixed = deb?.fixedVersions[0] ?? '';
    expect(out).toContain(`fixed in ${fixed}`);
    execFileSync('dpkg', ['--compare-versions', sourceVersion ?? '', 'lt', fixed], { stdio: 'pipe' });
  });

  it('says the database does not know a well-formed id it has no record of (text and JSON)', async () => {
    const text = await env.run(['explain', 'CVE-2099-99999', env.source]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('CVE-2099-99999 is not in the vulnerability database');
    const json = await env.run(['explain', 'cve-2099-99999', env.source, '-o', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual({ id: 'CVE-2099-99999', result: 'unknown', source: env.source });
  });

  it.each([
    ['CVE-12', /not a valid CVE id/],
    ['GHSA-1234', /not a valid GitHub advisory id/],
    ['not an id', /is not a vulnerability id/],
  ])('refuses the malformed id %j (exit 1), in text and JSON mode', async (id, message) => {
    for (const extra of [[], ['-o', 'json']]) {
      const { code, out, err } = await env.run(['explain', id, env.source, ...extra]);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toMatch(message);
      expect(err).toContain('[INVALID_ARGUMENT]');
    }
  });

  it('says an installed version already has the fix of a known Debian advisory, as dpkg orders them', async () => {
    const namespace = env.report.findings.find((f) => f.package.type === 'deb')?.evidence[0]?.namespace ?? '';
    const [sourceName, sourceVersion] =
      dpkgQuery(env.fixture.rootfsDir, ['source:Package', 'source:Version'], ['libc6'])[0] ?? [];
    const database = await openVulnerabilityDatabase({}, env.cacheDir, {});
    const advisories = await database.store
      .advisoriesFor([{ namespace, packageName: sourceName ?? '' }])
      .finally(() => database.close());
    const reported = new Set(env.report.findings.flatMap((f) => [f.id, ...f.aliases]));
    // Ground truth from dpkg: a fix strictly below the installed source version.
    const fixedBelow = advisories.find(
      (a) =>
        a.fixedVersions.length === 1 &&
        !a.notAffected &&
        /^CVE-/.test(a.id) &&
        !reported.has(a.id) &&
        spawnSync('dpkg', ['--compare-versions', a.fixedVersions[0] ?? '', 'lt', sourceVersion ?? ''])
          .status === 0,
    );
    expect(
      fixedBelow,
      `a ${namespace} advisory for ${sourceName} fixed below ${sourceVersion}`,
    ).toBeDefined();
    const id = fixedBelow?.id ?? '';
    const text = await env.run(['explain', id, env.source]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`${id} does not affect ${env.source}`);
    expect(text.out).toContain(`libc6 ${sourceVersion}`);
    expect(text.out).toContain('the installed version already contains the fix');
    expect(text.out).toContain(`fixed in ${fixedBelow?.fixedVersions[0]}`);
    const json = await env.run(['explain', id, env.source, '-o', 'json']);
    const parsed = JSON.parse(json.out) as { result: string; packages: { name: string; reason: string }[] };
    expect(parsed.result).toBe('not-affected');
    expect(parsed.packages).toContainEqual(
      expect.objectContaining({ name: 'libc6', reason: 'fixed-at-or-below-installed' }),
    );
  });

  it('gives the evidence chain as JSON too', async () => {
    const { code, out } = await env.run(['explain', 'CVE-2022-0235', env.source, '-o', 'json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { result: string; findings: { id: string }[] };
    expect(parsed.result).toBe('affected');
    expect(parsed.findings.map((f) => f.id)).toContain('GHSA-r683-j2x4-v87g');
  });
});
