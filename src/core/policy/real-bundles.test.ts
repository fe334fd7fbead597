/**
 * Anchore's published bundles (read in place from shared/data/policy beside the repository) load unchanged and
 * evaluate on a sample image. Expectations are read off the bundles' rules by hand; the suid
 * whitelist check relies on the md5 trigger ids Anchore itself wrote into the CIS bundle.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyDecision } from './evaluate.js';
import { evaluatePolicy } from './evaluate.js';
import { makeFile, makeFinding, makeInput, makePackage, NOW } from './test-support.js';
import { validateBundleText } from './validate.js';

// shared/ sits beside the repository checkout (locally and in CI).
const DATA = fileURLToPath(new URL('../../../../shared/data/policy', import.meta.url));
const BUNDLES = {
  engineDefault: 'anchore-engine/anchore_default_bundle.json',
  allRules: 'anchore-engine/bundle-with-all-rules-2020-08-20.json',
  cis: 'anchore-hub-2019/anchore_cis_1.13.0_base.json',
  hubDefault: 'anchore-hub-2019/anchore_default_bundle.json',
  securityOnly: 'anchore-hub-2019/anchore_security_only.json',
};

function load(file: string) {
  const result = validateBundleText(readFileSync(join(DATA, file), 'utf8'));
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
  return result.bundle;
}

const sample = makeInput({
  image: {
    digest: `sha256:${'12'.repeat(32)}`,
    tags: ['docker.io/acme/web:1.0'],
    layerCount: 5,
    size: 120_000_000,
    os: 'linux',
    architecture: 'amd64',
    distro: { name: 'debian', version: '12', like: [] },
  },
  dockerfile: { text: 'FROM debian:12\nEXPOSE 22\nCMD ["/web"]', source: 'reconstructed' },
  packages: [
    makePackage('openssl', '3.0.11-1'),
    makePackage('libc6-dev', '2.36-9'),
    makePackage('crossenv', '1.0.0', 'npm'),
  ],
  findings: [
    makeFinding({ id: 'CVE-2024-100', severity: 'Critical', fixedVersions: ['3.0.13-1'], fixState: 'fixed' }),
    makeFinding({
      id: 'CVE-2024-200',
      severity: 'Medium',
      package: { name: 'libc6-dev', version: '2.36-9', type: 'deb' },
    }),
  ],
  files: [makeFile('/bin/su', { mode: 0o4755 }), makeFile('/usr/bin/newuidmap', { mode: 0o4755 })],
  secrets: [{ path: '/web/.env', rule: 'AWS_ACCESS_KEY' }],
  feeds: [
    { name: 'debian', namespaces: ['debian:12'], lastSync: NOW, records: 1000 },
    { name: 'osv', namespaces: ['osv:npm'], lastSync: NOW, records: 500 },
  ],
  contents: { '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n' },
});

const fired = (d: PolicyDecision) =>
  d.triggers.map((t) => `${t.gate}/${t.trigger}:${t.action}${t.whitelisted ? ':whitelisted' : ''}`);

describe("Anchore's published bundles", () => {
  it.each(Object.values(BUNDLES))('%s loads unchanged', (file) => {
    expect(load(file).policies.length).toBeGreaterThan(0);
  });

  it('anchore-engine default bundle: EXPOSE 22 stops; medium warns, above medium stops', () => {
    const d = evaluatePolicy(load(BUNDLES.engineDefault), sample);
    expect(fired(d)).toEqual([
      'dockerfile/exposed_ports:STOP',
      'dockerfile/instruction:WARN',
      'vulnerabilities/package:WARN',
      'vulnerabilities/package:STOP',
    ]);
    expect(d.triggers.filter((t) => t.gate === 'vulnerabilities').map((t) => t.triggerId)).toEqual([
      'CVE-2024-200+libc6-dev',
      'CVE-2024-100+openssl',
    ]);
    expect([d.finalAction, d.reason, d.status]).toEqual(['STOP', 'policy_evaluation', 'fail']);
  });

  it('hub default bundle', () => {
    const d = evaluatePolicy(load(BUNDLES.hubDefault), sample);
    expect(fired(d)).toEqual([
      'vulnerabilities/package:WARN',
      'vulnerabilities/package:WARN',
      'dockerfile/exposed_ports:STOP',
      'dockerfile/instruction:WARN',
      'vulnerabilities/package:WARN',
      'vulnerabilities/package:STOP',
    ]);
    expect(d.finalAction).toBe('STOP');
  });

  it('security-only bundle: root user, AWS key, port 22, blacklisted npm name; *-dev packages whitelisted', () => {
    const d = evaluatePolicy(load(BUNDLES.securityOnly), sample);
    expect(fired(d)).toEqual([
      'vulnerabilities/package:STOP',
      'vulnerabilities/package:STOP',
      'dockerfile/effective_user:STOP',
      'secret_scans/content_regex_checks:STOP',
      'dockerfile/exposed_ports:STOP',
      'npms/blacklisted_name_version:STOP',
    ]);
    const noSecurityIssues = makeInput({
      ...sample,
      findings: [sample.findings[1]!],
      secrets: [],
      packages: [],
      dockerfile: { text: 'USER app', source: 'supplied' },
    });
    const clean = evaluatePolicy(load(BUNDLES.securityOnly), {
      ...noSecurityIssues,
      config: { ...sample.config, user: 'app' },
    });
    // The medium finding has no fix and is below "high": nothing fires, the image passes.
    expect([fired(clean), clean.finalAction]).toEqual([[], 'GO']);
  });

  it('CIS bundle: /bin/su is whitelisted by the md5 trigger id Anchore computed; newuidmap is not', () => {
    const d = evaluatePolicy(load(BUNDLES.cis), sample);
    const suid = d.triggers.filter((t) => t.trigger === 'suid_or_guid_set');
    expect(suid.map((t) => [t.message, t.triggerId, t.whitelisted?.itemId ?? null])).toEqual([
      [
        'SUID or SGID found set on file /bin/su. Mode: 0o104755',
        '91192388289daa4ffb2844ac9fbd709f',
        '702e4808-c9d1-4710-92a9-1409e9f4b7c1',
      ],
      [
        'SUID or SGID found set on file /usr/bin/newuidmap. Mode: 0o104755',
        expect.stringMatching(/^[0-9a-f]{32}$/),
        null,
      ],
    ]);
    expect(d.finalAction).toBe('STOP');
  });

  it('all-rules bundle evaluates every gate; docker.io/alpine:latest is a whitelisted image', () => {
    const bundle = load(BUNDLES.allRules);
    const d = evaluatePolicy(bundle, sample);
    expect(new Set(d.triggers.map((t) => t.gate))).toEqual(
      // malware (no findings), licenses (none declared), passwd_file and secret_scans (names that
      // do not occur) stay silent; metadata fires because 'linux' > '31' as text, as in Python.
      new Set([
        'dockerfile',
        'files',
        'metadata',
        'npms',
        'packages',
        'retrieved_files',
        'ruby_gems',
        'vulnerabilities',
      ]),
    );
    expect(d.errors).toEqual([]);
    expect([d.finalAction, d.reason]).toEqual(['WARN', 'policy_evaluation']);
    const alpine = evaluatePolicy(bundle, sample, { tag: 'docker.io/alpine:latest' });
    expect([alpine.finalAction, alpine.reason, alpine.matchedWhitelistedImage?.name]).toEqual([
      'GO',
      'whitelisted',
      'alpine:latest',
    ]);
  });
});
