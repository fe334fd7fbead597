/**
 * `portcullis explain` through the real CLI entry on the app fixture, against the shared
 * mirror's feeds: the evidence chain of an OSV finding, and of a Debian finding checked with
 * dpkg itself.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dpkgQuery } from '../../../test/support/dpkg-truth.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
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
    execFileSync('dpkg', ['--compare-versions', sourceVersion ?? '', 'lt', fixed]);
  });

  it('says so when the id matches nothing', async () => {
    const { code, out } = await env.run(['explain', 'CVE-1999-0001', env.source]);
    expect(code).toBe(0);
    expect(out).toContain('CVE-1999-0001 does not affect');
  });
});
