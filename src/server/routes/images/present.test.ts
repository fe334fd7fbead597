/** The Anchore vulnerability record's CVSS: per CVE, NVD's in `nvd_data`, the vendor's in `vendor_data`. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../core/matching/types.js';
import { presentVulnerabilities } from './present.js';

function finding(namespace: string): Finding {
  return {
    id: 'CVE-2024-0001',
    aliases: ['CVE-2024-0002'],
    package: {
      id: 'p',
      name: 'openssl',
      version: '3.0.11-1',
      type: 'deb',
      purl: 'pkg:deb/debian/openssl@3.0.11-1',
    },
    fixState: 'fixed',
    fixedVersions: ['3.0.11-2'],
    severity: 'High',
    severities: [],
    cvss: [
      {
        cve: 'CVE-2024-0001',
        source: 'nvd@nist.gov',
        version: '3.1',
        vector: 'CVSS:3.1/AV:N',
        baseScore: 9.8,
      },
      {
        cve: 'CVE-2024-0002',
        source: 'nvd@nist.gov',
        version: '3.1',
        vector: 'CVSS:3.1/AV:L',
        baseScore: 5.5,
      },
      {
        cve: 'CVE-2024-0001',
        source: 'vulnrichment:adp',
        version: '3.1',
        vector: 'CVSS:3.1/AV:N',
        baseScore: 7.5,
      },
      { cve: 'CVE-2024-0001', source: 'nvd@nist.gov', version: '2.0', vector: 'AV:N', baseScore: 5.0 },
    ],
    origin: 'base',
    confidence: 1,
    evidence: [
      {
        advisoryId: 'CVE-2024-0001',
        namespace,
        lookupName: 'openssl',
        comparedVersion: '3.0.11-1',
        scheme: 'deb',
        strategy: 'distro-source-package',
        source: { driver: 'd', file: 'f', recordId: 'r' },
      },
    ],
  };
}

const score = (base: number) => ({ base_score: base, exploitability_score: -1.0, impact_score: -1.0 });

describe('presentVulnerabilities CVSS', () => {
  it("gives each CVE its own NVD scores, and a distribution match the vendor's in vendor_data", () => {
    const [v] = presentVulnerabilities([finding('debian:12')], 'all', true);
    expect(v!.nvd_data).toEqual([
      { id: 'CVE-2024-0001', cvss_v2: score(5.0), cvss_v3: score(9.8) },
      { id: 'CVE-2024-0002', cvss_v2: score(-1.0), cvss_v3: score(5.5) },
    ]);
    expect(v!.vendor_data).toEqual([{ id: 'CVE-2024-0001', cvss_v2: score(-1.0), cvss_v3: score(7.5) }]);
  });

  it('keeps vendor_data empty for an NVD-sourced match', () => {
    const [v] = presentVulnerabilities([finding('nvd:cpe')], 'all', true);
    expect(v!.feed_group).toBe('nvd:cpe');
    expect(v!.vendor_data).toEqual([]);
    expect(v!.nvd_data).toHaveLength(2);
  });
});
