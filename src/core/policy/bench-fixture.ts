/**
 * The policy benchmark's workload (issue 5: a 50-rule bundle on a 1,000-package image with 500
 * findings in at most 20 ms): deterministic, built in memory, shared by bench/ and tests.
 */
import type { Package } from '../sbom/model.js';
import type { FileRecord, PolicyInput, Severity, VulnerabilityFinding } from './input.js';
import { SEVERITIES } from './input.js';

type Rule = { gate: string; trigger: string; action: string; params: Record<string, string> };

function rules(): Rule[] {
  const out: Rule[] = [];
  const severities = ['low', 'medium', 'high', 'critical'];
  for (let i = 0; i < 20; i++) {
    out.push({
      gate: 'vulnerabilities',
      trigger: 'package',
      action: i % 3 === 0 ? 'STOP' : 'WARN',
      params: {
        package_type: ['all', 'os', 'non-os'][i % 3] ?? 'all',
        severity_comparison: '>=',
        severity: severities[i % 4] ?? 'high',
        ...(i % 2 === 0 ? { fix_available: 'true' } : { cvss_v3_base_score: String(5 + (i % 5)) }),
        ...(i % 5 === 0 ? { epss_percentile: '0.5', origin: 'app' } : {}),
        ...(i % 7 === 0 ? { package_path_exclude: '/usr/lib/node_modules/.*test.*' } : {}),
      },
    });
  }
  for (let i = 0; i < 8; i++) {
    out.push({
      gate: 'dockerfile',
      trigger: 'instruction',
      action: 'WARN',
      params: { instruction: 'RUN', check: 'like', value: `.*tool${i}.*` },
    });
  }
  out.push({
    gate: 'dockerfile',
    trigger: 'exposed_ports',
    action: 'STOP',
    params: { ports: '22,23', type: 'blacklist' },
  });
  out.push({
    gate: 'dockerfile',
    trigger: 'effective_user',
    action: 'STOP',
    params: { users: 'root', type: 'blacklist' },
  });
  // One file-name regex: each costs ~2.5 µs per file on RE2 (see docs/adr/0004-policy-regex-safety.md).
  out.push({ gate: 'files', trigger: 'name_match', action: 'WARN', params: { regex: '.*\\.(pem|key)$' } });
  for (let i = 0; i < 4; i++)
    out.push({
      gate: 'licenses',
      trigger: 'blacklist_exact_match',
      action: 'WARN',
      params: { licenses: `AGPL-${i}.0` },
    });
  out.push({ gate: 'files', trigger: 'suid_or_guid_set', action: 'WARN', params: {} });
  for (let i = 0; i < 5; i++)
    out.push({
      gate: 'licenses',
      trigger: 'blacklist_partial_match',
      action: 'WARN',
      params: { licenses: `GPL-${i}` },
    });
  for (let i = 0; i < 5; i++)
    out.push({ gate: 'packages', trigger: 'blacklist', action: 'STOP', params: { name: `pkg-${i * 7}` } });
  out.push({
    gate: 'metadata',
    trigger: 'attribute',
    action: 'WARN',
    params: { attribute: 'size', check: '>', value: '1GB' },
  });
  out.push({ gate: 'secret_scans', trigger: 'content_regex_checks', action: 'STOP', params: {} });
  out.push({
    gate: 'vulnerabilities',
    trigger: 'stale_feed_data',
    action: 'WARN',
    params: { max_days_since_sync: '2' },
  });
  out.push({
    gate: 'vulnerabilities',
    trigger: 'blacklist',
    action: 'STOP',
    params: { vulnerability_ids: 'CVE-2024-0007,CVE-2024-0099' },
  });
  return out;
}

/** A bundle document (to be validated) with 50 rules across 8 gates and a 20-item whitelist. */
export function benchBundleDocument(): Record<string, unknown> {
  const list = rules();
  return {
    id: 'bench',
    version: '1_0',
    policies: [
      {
        id: 'bench-policy',
        rules: list.map((r, i) => ({
          id: `rule-${i}`,
          gate: r.gate,
          trigger: r.trigger,
          action: r.action,
          params: Object.entries(r.params).map(([name, value]) => ({ name, value })),
        })),
      },
    ],
    whitelists: [
      {
        id: 'bench-wl',
        items: Array.from({ length: 20 }, (_, i) => ({
          id: `item-${i}`,
          gate: 'vulnerabilities',
          trigger_id: `CVE-2024-${String(i * 11).padStart(4, '0')}+*`,
        })),
      },
    ],
    mappings: [
      {
        id: 'all',
        registry: '*',
        repository: '*',
        image: { type: 'tag', value: '*' },
        policy_ids: ['bench-policy'],
        whitelist_ids: ['bench-wl'],
      },
    ],
  };
}

/** 1,000 packages (700 deb, 300 npm), 500 findings, 1,000 files, a 40-line Dockerfile. */
export function benchInput(now = new Date('2026-06-01T00:00:00Z')): PolicyInput {
  const packages: Package[] = Array.from({ length: 1000 }, (_, i) => {
    const type = i < 700 ? 'deb' : 'npm';
    const name = `pkg-${i}`;
    return {
      id: `${type}/${name}`,
      name,
      version: `1.${i % 10}.${i % 7}`,
      type,
      purl: `pkg:${type}/${name}@1.0.0`,
      licenses: [i % 4 === 0 ? 'GPL-2.0-only' : 'MIT'],
      locations: [
        { path: type === 'deb' ? '/var/lib/dpkg/status' : `/usr/lib/node_modules/${name}/package.json` },
      ],
      foundBy: 'bench@1',
      metadata: {},
    };
  });
  const findings: VulnerabilityFinding[] = Array.from({ length: 500 }, (_, i) => {
    const pkg = packages[(i * 2) % 1000] as Package;
    const severity = SEVERITIES[i % SEVERITIES.length] as Severity;
    return {
      id: `CVE-2024-${String(i).padStart(4, '0')}`,
      aliases: [],
      package: {
        name: pkg.name,
        version: pkg.version,
        type: pkg.type,
        ...(pkg.type === 'npm' ? { path: pkg.locations[0]?.path ?? '' } : {}),
      },
      severity,
      cvssV3: { nvd: { base: (i % 100) / 10, exploitability: 3.9, impact: 5.9 } },
      fixedVersions: i % 2 === 0 ? ['9.9.9'] : [],
      fixState: i % 2 === 0 ? 'fixed' : 'not-fixed',
      publishedAt: new Date(now.getTime() - (i % 400) * 86_400_000),
      kev: i % 50 === 0,
      epss: { score: (i % 100) / 100, percentile: (i % 97) / 97 },
      origin: i % 3 === 0 ? 'app' : 'base',
      confidence: 1,
      namespace: 'debian:12',
    };
  });
  const files: FileRecord[] = Array.from({ length: 1000 }, (_, i) => ({
    path: `/usr/share/app/dir${i % 50}/file-${i}.${i % 100 === 0 ? 'pem' : 'txt'}`,
    type: 'file',
    mode: i % 500 === 0 ? 0o4755 : 0o644,
    uid: 0,
    gid: 0,
    size: 100,
  }));
  const dockerfile = [
    'FROM debian:12',
    ...Array.from({ length: 38 }, (_, i) => `RUN apt-get install -y tool${i} && rm -rf /var/lib/apt/lists/*`),
    'USER app',
  ].join('\n');
  return {
    image: {
      digest: `sha256:${'0'.repeat(64)}`,
      tags: ['docker.io/acme/bench:1'],
      layerCount: 12,
      size: 800_000_000,
      os: 'linux',
      architecture: 'amd64',
    },
    config: {
      user: 'app',
      env: [],
      exposedPorts: ['8080/tcp'],
      entrypoint: [],
      cmd: [],
      labels: {},
      history: [],
    },
    dockerfile: { text: dockerfile, source: 'supplied' },
    packages,
    findings,
    files,
    fileContents: () => undefined,
    contentMatches: [],
    secrets: [],
    feeds: [{ name: 'debian', namespaces: ['debian:12'], lastSync: now, records: 1000 }],
    now,
  };
}
