/**
 * Small builders for policy tests: a PolicyInput with sensible empty defaults, findings,
 * packages and files, and one-rule bundles evaluated end to end (validation included).
 */
import type { Package, PackageType } from '../sbom/model.js';
import { evaluatePolicy, type EvaluateOptions, type FiredTrigger, type PolicyDecision } from './evaluate.js';
import type { FileRecord, PolicyInput, VulnerabilityFinding } from './input.js';
import { validateBundle } from './validate.js';

export const NOW = new Date('2026-06-01T00:00:00Z');
export const DIGEST = `sha256:${'ab'.repeat(32)}`;

export function makeInput(
  over: Partial<PolicyInput> & { contents?: Record<string, string> } = {},
): PolicyInput {
  const { contents, ...rest } = over;
  return {
    image: {
      digest: DIGEST,
      tags: ['docker.io/library/app:1.0'],
      layerCount: 3,
      os: 'linux',
      architecture: 'amd64',
    },
    config: { user: '', env: [], exposedPorts: [], entrypoint: [], cmd: [], labels: {}, history: [] },
    packages: [],
    findings: [],
    files: [],
    fileContents: (path) => (contents && path in contents ? Buffer.from(contents[path] ?? '') : undefined),
    contentMatches: [],
    secrets: [],
    feeds: [],
    now: NOW,
    ...rest,
  };
}

export function makePackage(
  name: string,
  version: string,
  type: PackageType = 'deb',
  over: Partial<Package> = {},
): Package {
  return {
    id: `${type}/${name}@${version}`,
    name,
    version,
    type,
    purl: `pkg:${type}/${name}@${version}`,
    licenses: [],
    locations: [{ path: `/var/lib/${type}/${name}` }],
    foundBy: 'test@1',
    metadata: {},
    ...over,
  };
}

export function makeFinding(over: Partial<VulnerabilityFinding> = {}): VulnerabilityFinding {
  return {
    id: 'CVE-2024-0001',
    aliases: [],
    package: { name: 'openssl', version: '3.0.1-1', type: 'deb' },
    severity: 'High',
    cvssV3: {},
    fixedVersions: [],
    fixState: 'not-fixed',
    kev: false,
    origin: 'base',
    confidence: 1,
    namespace: 'debian:12',
    ...over,
  };
}

export function makeFile(path: string, over: Partial<FileRecord> = {}): FileRecord {
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10, ...over };
}

export interface RuleSpec {
  gate: string;
  trigger: string;
  action?: string;
  params?: Record<string, string>;
}

/** A bundle document with one policy holding the rules, one whitelist and a catch-all mapping. */
export function bundleDoc(rules: RuleSpec[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'test-bundle',
    name: 'test',
    version: '1_0',
    policies: [
      {
        id: 'p1',
        name: 'policy one',
        version: '1_0',
        rules: rules.map((r, i) => ({
          id: `r${i + 1}`,
          gate: r.gate,
          trigger: r.trigger,
          action: r.action ?? 'STOP',
          params: Object.entries(r.params ?? {}).map(([name, value]) => ({ name, value })),
        })),
      },
    ],
    whitelists: [{ id: 'w1', name: 'exceptions', version: '1_0', items: [] }],
    mappings: [
      {
        id: 'm1',
        name: 'all',
        registry: '*',
        repository: '*',
        image: { type: 'tag', value: '*' },
        policy_ids: ['p1'],
        whitelist_ids: ['w1'],
      },
    ],
    ...extra,
  };
}

/** Validates (throwing with every error on failure) and evaluates. */
export function evaluateDoc(doc: unknown, input: PolicyInput, options: EvaluateOptions = {}): PolicyDecision {
  const result = validateBundle(doc);
  if (!result.ok) throw new Error(`test bundle invalid: ${JSON.stringify(result.errors)}`);
  return evaluatePolicy(result.bundle, input, options);
}

/** The firings of one rule against an input. */
export function fire(rule: RuleSpec, input: PolicyInput): FiredTrigger[] {
  return evaluateDoc(bundleDoc([rule]), input).triggers;
}
