/**
 * The contract test's own tools catch what they are for: the exposition reader refuses
 * malformed scrapes and broken histograms; the reference shapes refuse a missing field, a
 * field of another JSON type and an undeclared extra field (serve-metrics-contract.test.ts).
 */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { checkResponse, contentResponse, vulnerabilityResponse } from './anchore-v1-shapes.js';
import { family, histogramSeries, parseExposition, sampleValue } from './exposition.js';

const VULN = {
  vuln: 'CVE-2020-28928',
  severity: 'Medium',
  package: 'musl-1.1.24-r9',
  package_name: 'musl',
  package_version: '1.1.24-r9',
  package_type: 'APKG',
  package_path: 'pkgdb',
  package_cpe: 'None',
  package_cpe23: 'None',
  fix: '1.1.24-r10',
  will_not_fix: false,
  url: 'https://security.alpinelinux.org/vuln/CVE-2020-28928',
  feed: 'vulnerabilities',
  feed_group: 'alpine:3.12',
  nvd_data: [
    {
      id: 'CVE-2020-28928',
      cvss_v2: { base_score: 2.1, exploitability_score: 3.9, impact_score: 2.9 },
      cvss_v3: { base_score: 5.5, exploitability_score: 1.8, impact_score: 3.6 },
    },
  ],
  vendor_data: [],
  origin_layer: null,
  origin: 'base',
};
const DIGEST = `sha256:${'a'.repeat(64)}`;
const envelope = (v: object) => ({ imageDigest: DIGEST, vulnerability_type: 'all', vulnerabilities: [v] });

describe('reference shapes', () => {
  it("accept the reference's own example vulnerability", () => {
    expect(vulnerabilityResponse('all').safeParse(envelope(VULN)).success).toBe(true);
  });

  it.each([
    ['a missing field', { ...VULN, package_cpe23: undefined }],
    ['nvd_data as an object', { ...VULN, nvd_data: VULN.nvd_data[0] }],
    ['will_not_fix as a string', { ...VULN, will_not_fix: 'false' }],
    ['a severity outside the list', { ...VULN, severity: 'MEDIUM' }],
    ['an undeclared field', { ...VULN, epss: 0.1 }],
    ['package other than name-version', { ...VULN, package: 'musl' }],
    ['vendor_data on an NVD match', { ...VULN, feed_group: 'nvd', vendor_data: VULN.nvd_data }],
    ['a vendor_data element without CVSS', { ...VULN, vendor_data: [{ id: 'CVE-2020-28928' }] }],
  ])('refuse %s', (_what, vuln) => {
    expect(vulnerabilityResponse('all').safeParse(envelope(vuln)).success).toBe(false);
  });

  it('refuse a content element of another type and an envelope of another content type', () => {
    const os = {
      package: 'musl',
      version: '1.1.24-r9',
      type: 'APKG',
      size: 10,
      origin: 'N/A',
      license: 'MIT',
      licenses: ['MIT'],
      sourcepkg: 'musl',
      cpes: [],
      origin_layer: null,
    };
    const ok = { imageDigest: DIGEST, content_type: 'os', content: [os] };
    expect(contentResponse('os').safeParse(ok).success).toBe(true);
    expect(contentResponse('os').safeParse({ ...ok, content: [{ ...os, size: '10' }] }).success).toBe(false);
    expect(contentResponse('npm').safeParse(ok).success).toBe(false);
  });

  it('refuse a check answer that is not list-wrapped or carries detail when not asked', () => {
    const evaluation = { policyId: 'p', status: 'pass', last_evaluation: '2023-01-05T10:13:02Z', detail: {} };
    const answer = { [DIGEST]: { 'docker.io/alpine:3.12': [evaluation] } };
    expect(checkResponse(false).safeParse([answer]).success).toBe(true);
    expect(checkResponse(false).safeParse(answer).success).toBe(false);
    expect(
      checkResponse(false).safeParse([
        { [DIGEST]: { 'docker.io/alpine:3.12': [{ ...evaluation, detail: { x: 1 } }] } },
      ]).success,
    ).toBe(false);
  });
});

describe('exposition reader', () => {
  it("reads prom-client's own output, histograms included", async () => {
    const registry = new Registry();
    const h = new Histogram({ name: 't_seconds', help: 'h', labelNames: ['k'], registers: [registry] });
    h.observe({ k: 'a"b' }, 0.2);
    h.observe({ k: 'a"b' }, 3);
    const families = parseExposition(await registry.metrics());
    const [series] = histogramSeries(family(families, 't_seconds', 'histogram'));
    expect(series).toEqual({ labels: { k: 'a"b' }, count: 2, sum: 3.2 });
    expect(sampleValue(family(families, 't_seconds', 'histogram'), 't_seconds_bucket', { le: '+Inf' })).toBe(
      2,
    );
  });

  it('refuses malformed lines, samples of no family and non-cumulative buckets', () => {
    expect(() => parseExposition('# TYPE a gauge\na{x=1} 2\n')).toThrow(/malformed labels/);
    expect(() => parseExposition('# TYPE a gauge\na one\n')).toThrow(/malformed value/);
    expect(() => parseExposition('b 1\n')).toThrow(/no declared family/);
    const broken = parseExposition(
      '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    );
    expect(() => histogramSeries(family(broken, 'h', 'histogram'))).toThrow(/not cumulative/);
    expect(() => family(broken, 'h', 'gauge')).toThrow(/is a histogram/);
  });
});
