/**
 * The GitLab container-scanning renderer on findings with every CVSS version we store: vectors
 * the schema's grammar accepts are kept (highest score first), others are dropped, so the
 * report always validates; ids are stable across runs and distinct across findings.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../matching/types.js';
import { renderGitlab } from './gitlab.js';
import type { ScanReport } from './types.js';
import { gitlabReportValidator } from './test-support/gitlab-schema.js';

const base: Finding = {
  id: 'CVE-2024-0001',
  aliases: ['DSA-9999-1'],
  package: {
    id: 'p1',
    name: 'openssl',
    version: '3.0.11-1',
    type: 'deb',
    purl: 'pkg:deb/debian/openssl@3.0.11-1',
  },
  fixState: 'fixed',
  fixedVersions: ['3.0.13-1'],
  severity: 'Negligible',
  severities: [],
  cvss: [
    {
      cve: 'CVE-2024-0001',
      source: 'nvd@nist.gov',
      version: '2.0',
      vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
      baseScore: 7.5,
    },
    {
      cve: 'CVE-2024-0001',
      source: 'nvd@nist.gov',
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      baseScore: 9.8,
    },
    {
      cve: 'CVE-2024-0001',
      source: 'cna',
      version: '4.0',
      vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      baseScore: 9.3,
    },
    { cve: 'CVE-2024-0001', source: 'broken', version: '3.1', vector: 'CVSS:3.1/garbage', baseScore: 10 },
  ],
  origin: 'base',
  confidence: 1,
  evidence: [],
};

function report(findings: Finding[]): ScanReport {
  return {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: '0.1.0' },
    createdAt: '2026-03-04T05:06:07.890Z',
    source: { type: 'image', input: 'oci-dir:/x:app', tags: ['registry.example/app:1'], layers: [] },
    distro: { id: 'debian', versionId: '12' },
    database: { feeds: [] },
    findings,
  };
}

interface Doc {
  scan: { start_time: string; type: string };
  vulnerabilities: {
    id: string;
    severity: string;
    solution?: string;
    identifiers: { type: string; value: string }[];
    cvss_vectors: { vendor: string; vector: string }[];
    location: { operating_system: string; image: string };
  }[];
}

describe('renderGitlab', () => {
  const other: Finding = {
    ...base,
    package: { ...base.package, name: 'libssl3', id: 'p2', purl: 'pkg:deb/debian/libssl3@3.0.11-1' },
  };
  const doc = JSON.parse(renderGitlab({ report: report([base, other]), document: {} as never })) as Doc;

  it('validates against the schema', async () => {
    const validate = await gitlabReportValidator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('keeps the vectors the grammar accepts, highest score first', () => {
    expect(doc.vulnerabilities[0]?.cvss_vectors.map((v) => v.vendor)).toEqual([
      'nvd@nist.gov',
      'cna',
      'nvd@nist.gov',
    ]);
    expect(doc.vulnerabilities[0]?.cvss_vectors[0]?.vector).toMatch(/^CVSS:3\.1\//);
  });

  it('maps the finding: severity, identifiers, solution, location, times without fractions', () => {
    const v = doc.vulnerabilities[0];
    expect(v?.severity).toBe('Info');
    expect(v?.identifiers.map((i) => [i.type, i.value])).toEqual([
      ['cve', 'CVE-2024-0001'],
      ['dsa', 'DSA-9999-1'],
    ]);
    expect(v?.solution).toBe('Upgrade openssl to 3.0.13-1.');
    expect(v?.location).toEqual({
      dependency: { package: { name: 'openssl' }, version: '3.0.11-1' },
      operating_system: 'debian 12',
      image: 'registry.example/app:1',
    });
    expect(doc.scan).toMatchObject({ start_time: '2026-03-04T05:06:07', type: 'container_scanning' });
  });

  it('gives each finding a stable, distinct UUID-shaped id', () => {
    const again = JSON.parse(renderGitlab({ report: report([base, other]), document: {} as never })) as Doc;
    expect(again.vulnerabilities.map((v) => v.id)).toEqual(doc.vulnerabilities.map((v) => v.id));
    expect(new Set(doc.vulnerabilities.map((v) => v.id)).size).toBe(2);
    for (const v of doc.vulnerabilities)
      expect(v.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
