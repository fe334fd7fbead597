/**
 * A report input with one of everything: base, application and unknown-origin findings, KEV and
 * EPSS, a suppressed finding, fired policy rules, and text that must be escaped.
 */
import type { Finding } from '../../../matching/types.js';
import type { PolicyDecision } from '../../../policy/index.js';
import type { SbomLayer } from '../../../sbom/document.js';
import type { HtmlReportInput } from '../report-page.js';

export const HOSTILE = '<script>alert("x")</script> & \' é';

const layers: SbomLayer[] = [
  {
    index: 0,
    digest: 'sha256:' + 'a'.repeat(64),
    diffId: 'sha256:' + '0'.repeat(64),
    size: 1,
    mediaType: 'tar',
    createdBy: 'debootstrap bookworm',
  },
  {
    index: 1,
    digest: 'sha256:' + 'b'.repeat(64),
    diffId: 'sha256:' + '1'.repeat(64),
    size: 1,
    mediaType: 'tar',
    createdBy: 'RUN npm ci',
  },
];

function finding(
  id: string,
  name: string,
  version: string,
  extra: Partial<Finding> & Pick<Finding, 'severity' | 'origin'>,
): Finding {
  return {
    id,
    aliases: [],
    package: {
      id: `${name}@${version}`,
      name,
      version,
      type: extra.origin === 'base' ? 'deb' : 'npm',
      purl: `pkg:generic/${name}@${version}`,
    },
    fixState: 'not-fixed',
    fixedVersions: [],
    severities: [],
    cvss: [],
    confidence: 1,
    evidence: [],
    ...extra,
  };
}

export const SAMPLE_FINDINGS: Finding[] = [
  finding('CVE-2024-0001', 'openssl', '3.0.11-1', {
    severity: 'Critical',
    origin: 'base',
    originLayer: layers[0]!.diffId,
    fixState: 'fixed',
    fixedVersions: ['3.0.13-1'],
    kev: {
      cve: 'CVE-2024-0001',
      dateAdded: '2024-02-01',
      dueDate: '2024-02-22',
      knownRansomware: true,
      vendor: 'OpenSSL',
      product: 'OpenSSL',
    },
    epss: { score: 0.943, percentile: 0.998 },
  }),
  finding('CVE-2024-0002', 'openssl', '3.0.11-1', {
    severity: 'Medium',
    origin: 'base',
    originLayer: layers[0]!.diffId,
    epss: { score: 0.012, percentile: 0.61 },
  }),
  finding('CVE-2023-0003', 'zlib1g', '1:1.2.13', {
    severity: 'Low',
    origin: 'base',
    originLayer: layers[0]!.diffId,
    fixState: 'wont-fix',
  }),
  finding('GHSA-aaaa-bbbb-cccc', `left-pad${HOSTILE}`, '1.0.0', {
    severity: 'High',
    origin: 'app',
    originLayer: layers[1]!.diffId,
    fixState: 'fixed',
    fixedVersions: ['1.0.1'],
    summary: HOSTILE,
    epss: { score: 0.2, percentile: 0.95 },
  }),
  finding('GHSA-dddd-eeee-ffff', 'lodash', '4.17.20', { severity: 'Unknown', origin: 'unknown' }),
  finding('CVE-2022-0004', 'bash', '5.2', {
    severity: 'High',
    origin: 'base',
    originLayer: layers[0]!.diffId,
    suppressed: { by: 'vex', reason: `not_affected: ${HOSTILE}` },
  }),
];

export const SAMPLE_DECISION: PolicyDecision = {
  bundle: { id: 'default-bundle', name: 'Default bundle' },
  image: { digest: 'sha256:' + 'c'.repeat(64), tag: 'registry.example/team/app:1' },
  mapping: { id: 'm1', name: 'all images' },
  policyIds: ['p1'],
  whitelistIds: [],
  triggers: [
    {
      gate: 'vulnerabilities',
      trigger: 'package',
      triggerId: 't1',
      message: `CRITICAL vulnerability in openssl: CVE-2024-0001 ${HOSTILE}`,
      action: 'STOP',
      effectiveAction: 'STOP',
      policyId: 'p1',
      ruleId: 'r1',
      whitelisted: null,
    },
    {
      gate: 'dockerfile',
      trigger: 'effective_user',
      triggerId: 't2',
      message: 'User root found as effective user',
      action: 'WARN',
      effectiveAction: 'WARN',
      policyId: 'p1',
      ruleId: 'r2',
      whitelisted: null,
    },
    {
      gate: 'vulnerabilities',
      trigger: 'package',
      triggerId: 't3',
      message: 'MEDIUM vulnerability in openssl: CVE-2024-0002',
      action: 'WARN',
      effectiveAction: 'GO',
      policyId: 'p1',
      ruleId: 'r3',
      whitelisted: { whitelistId: 'w1', itemId: 'i1' },
    },
  ],
  policyFinalAction: 'STOP',
  matchedWhitelistedImage: null,
  matchedBlacklistedImage: null,
  finalAction: 'STOP',
  reason: 'policy_evaluation',
  status: 'fail',
  errors: [],
  failClosed: [],
};

export function sampleReportInput(generatedAt = '2026-12-06T10:00:00.000Z'): HtmlReportInput {
  return {
    image: {
      reference: 'registry.example/team/app:1',
      digest: 'sha256:' + 'c'.repeat(64),
      imageId: 'd'.repeat(64),
      distro: 'debian 12',
      platform: 'linux/amd64',
    },
    team: { key: 'team', value: `payments${HOSTILE}`, from: 'label' },
    decision: SAMPLE_DECISION,
    findings: SAMPLE_FINDINGS,
    layers,
    generatedAt,
    data: { oldestSyncAt: '2026-12-06T06:00:00.000Z', stale: false, available: true },
    productVersion: '0.1.0',
  };
}
