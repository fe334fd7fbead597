import { describe, expect, it } from 'vitest';
import { fire, makeFinding, makeInput, NOW } from '../test-support.js';
import type { VulnerabilityFinding } from '../input.js';

const pkgRule = (params: Record<string, string>) => ({
  gate: 'vulnerabilities',
  trigger: 'package',
  params: { package_type: 'all', ...params },
});
const ids = (findings: VulnerabilityFinding[], params: Record<string, string>) =>
  fire(pkgRule(params), makeInput({ findings })).map((t) => t.triggerId);
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

describe('vulnerabilities/package', () => {
  const high = makeFinding({ id: 'CVE-1', severity: 'High' });
  const medium = makeFinding({
    id: 'CVE-2',
    severity: 'Medium',
    package: { name: 'zlib', version: '1.2', type: 'deb' },
  });
  const npm = makeFinding({
    id: 'GHSA-1',
    severity: 'Critical',
    package: {
      name: 'lodash',
      version: '4.17.0',
      type: 'npm',
      path: '/app/node_modules/lodash/package.json',
    },
  });

  it('uses <vuln id>+<package name> as trigger id, as Anchore whitelists expect', () => {
    expect(ids([high], {})).toEqual(['CVE-1+openssl']);
  });

  it('compares severity with the default ">" and explicit operators', () => {
    expect(ids([high, medium], { severity: 'medium' })).toEqual(['CVE-1+openssl']);
    expect(ids([high, medium], { severity: 'medium', severity_comparison: '=' })).toEqual(['CVE-2+zlib']);
    expect(ids([high, medium], { severity: 'medium', severity_comparison: '>=' })).toEqual([
      'CVE-1+openssl',
      'CVE-2+zlib',
    ]);
    expect(ids([high, medium], { severity: 'critical', severity_comparison: '>=' })).toEqual([]);
    expect(
      ids([makeFinding({ severity: 'Unknown' })], { severity: 'negligible', severity_comparison: '<' }),
    ).toEqual(['CVE-2024-0001+openssl']);
  });

  it('filters os / non-os packages', () => {
    expect(ids([high, npm], { package_type: 'os' })).toEqual(['CVE-1+openssl']);
    expect(ids([high, npm], { package_type: 'non-os' })).toEqual(['GHSA-1+lodash']);
  });

  it('compares NVD and vendor CVSS v3 scores; a missing score never fires', () => {
    const scored = makeFinding({
      id: 'CVE-9',
      cvssV3: { nvd: { base: 9.8, exploitability: 3.9, impact: 5.9 }, vendor: { base: 7.5 } },
    });
    expect(ids([scored, high], { cvss_v3_base_score: '9.0' })).toEqual(['CVE-9+openssl']);
    expect(ids([scored], { cvss_v3_base_score: '9.9' })).toEqual([]);
    expect(
      ids([scored], { cvss_v3_exploitability_score: '3.9', cvss_v3_exploitability_score_comparison: '=' }),
    ).toHaveLength(1);
    expect(ids([scored], { cvss_v3_impact_score: '6', cvss_v3_impact_score_comparison: '<' })).toHaveLength(
      1,
    );
    expect(
      ids([scored], { vendor_cvss_v3_base_score: '7.5', vendor_cvss_v3_base_score_comparison: '>' }),
    ).toEqual([]);
    expect(ids([scored], { vendor_cvss_v3_base_score: '7.5' })).toEqual(['CVE-9+openssl']);
    expect(ids([scored], { vendor_cvss_v3_impact_score: '1' })).toEqual([]);
    expect(ids([scored], { vendor_cvss_v3_exploitability_score: '1' })).toEqual([]);
  });

  it("fix_available must equal the finding's fix availability", () => {
    const fixed = makeFinding({ id: 'CVE-F', fixedVersions: ['3.0.2-1'], fixState: 'fixed' });
    expect(ids([fixed, high], { fix_available: 'true' })).toEqual(['CVE-F+openssl']);
    expect(ids([fixed, high], { fix_available: 'false' })).toEqual(['CVE-1+openssl']);
  });

  it("vendor_only (default true) skips won't-fix matches", () => {
    const wontFix = makeFinding({ id: 'CVE-W', fixState: 'wont-fix' });
    expect(ids([wontFix], {})).toEqual([]);
    expect(ids([wontFix], { vendor_only: 'false' })).toEqual(['CVE-W+openssl']);
  });

  it('max_days_since_creation and max_days_since_fix need older records', () => {
    const old = makeFinding({
      id: 'CVE-OLD',
      publishedAt: daysAgo(40),
      fixedVersions: ['2'],
      fixPublishedAt: daysAgo(31),
    });
    const recent = makeFinding({
      id: 'CVE-NEW',
      publishedAt: daysAgo(2),
      fixedVersions: ['2'],
      fixPublishedAt: daysAgo(1),
    });
    expect(ids([old, recent], { max_days_since_creation: '30' })).toEqual(['CVE-OLD+openssl']);
    expect(ids([old, recent], { fix_available: 'true', max_days_since_fix: '30' })).toEqual([
      'CVE-OLD+openssl',
    ]);
    expect(ids([old, recent], { fix_available: 'true', max_days_since_fix: '31' })).toEqual([]);
  });

  it('package_path_exclude skips non-OS packages whose path matches', () => {
    expect(ids([npm], { package_path_exclude: '/app/node_modules/.*' })).toEqual([]);
    expect(ids([npm], { package_path_exclude: '/opt/.*' })).toEqual(['GHSA-1+lodash']);
  });

  it('extensions: kev, epss percentile, origin, min_confidence', () => {
    const kev = makeFinding({
      id: 'CVE-K',
      kev: true,
      epss: { score: 0.5, percentile: 0.97 },
      origin: 'app',
      confidence: 0.9,
    });
    const plain = makeFinding({
      id: 'CVE-P',
      epss: { score: 0.01, percentile: 0.2 },
      origin: 'base',
      confidence: 0.3,
    });
    const noEpss = makeFinding({ id: 'CVE-N' });
    expect(ids([kev, plain], { kev: 'true' })).toEqual(['CVE-K+openssl']);
    expect(ids([kev, plain], { kev: 'false' })).toEqual(['CVE-K+openssl', 'CVE-P+openssl']);
    expect(ids([kev, plain, noEpss], { epss_percentile: '0.9' })).toEqual(['CVE-K+openssl']);
    expect(ids([kev, plain, noEpss], { epss_percentile: '0.5', epss_percentile_comparison: '<' })).toEqual([
      'CVE-P+openssl',
    ]);
    expect(ids([kev, plain], { origin: 'app' })).toEqual(['CVE-K+openssl']);
    expect(ids([kev, plain], { origin: 'base' })).toEqual(['CVE-P+openssl']);
    expect(ids([kev, plain], { origin: 'any' })).toHaveLength(2);
    expect(ids([kev, plain], { min_confidence: '0.5' })).toEqual(['CVE-K+openssl']);
  });
});

describe('vulnerabilities/blacklist', () => {
  const rule = (ids: string, vendorOnly?: string) => ({
    gate: 'vulnerabilities',
    trigger: 'blacklist',
    params: { vulnerability_ids: ids, ...(vendorOnly ? { vendor_only: vendorOnly } : {}) },
  });
  const ghsa = makeFinding({ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2019-1234'] });
  it('fires on a listed id or alias', () => {
    expect(fire(rule('CVE-2019-1234'), makeInput({ findings: [ghsa] })).map((t) => t.triggerId)).toEqual([
      'GHSA-aaaa-bbbb-cccc+openssl',
    ]);
  });
  it("does not fire for other ids, nor for won't-fix with vendor_only", () => {
    expect(fire(rule('CVE-2000-1'), makeInput({ findings: [ghsa] }))).toEqual([]);
    const wont = makeFinding({ id: 'CVE-2019-1234', fixState: 'wont-fix' });
    expect(fire(rule('CVE-2019-1234'), makeInput({ findings: [wont] }))).toEqual([]);
    expect(fire(rule('CVE-2019-1234', 'false'), makeInput({ findings: [wont] }))).toHaveLength(1);
  });
});
