/**
 * Stored analyses unlike each other, for the tests holding the re-match's partial read (ADR
 * 0030) to the whole one: Debian, Alpine and distro-less images; deb packages whose source
 * differs from their name, with Debian changelog evidence; npm, PyPI (normalized names) and
 * Maven packages, one npm package owned by a deb; an unreadable package database; suppressed
 * findings. The advisories of `VARIED_ADVISORIES` match packages of each.
 */
import { gzipSync } from 'node:zlib';
import type { Advisory } from '../../core/advisories/model.js';
import type { VersionScheme } from '../../core/advisories/model.js';
import type { Finding } from '../../core/matching/types.js';
import type { SbomDistro, SbomDocument } from '../../core/sbom/document.js';
import type { Package, PackageType } from '../../core/sbom/model.js';
import { AnalysisRepository, type AnalysisRecord } from '../repositories/analyses.js';
import type { Sql } from '../sql.js';
import { VulnerabilityStore, type PackageKey } from '../vulnerability-store.js';
import { loadAdvisories, syntheticAdvisory, type SyntheticAdvisory } from './synthetic-feed.js';
import { APP_LAYER, BASE_LAYER, syntheticAnalysis, syntheticFinding } from './synthetic-analysis.js';

const DEBIAN: SbomDistro = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };
const ALPINE: SbomDistro = { id: 'alpine', versionId: '3.19.1' };

interface Pkg {
  name: string;
  version: string;
  type: PackageType;
  source?: string;
  purl?: string;
  owned?: boolean;
  app?: boolean;
}

function packageOf(p: Pkg): Package {
  return {
    id: `${p.type}:${p.name}@${p.version}`,
    name: p.name,
    version: p.version,
    type: p.type,
    purl: p.purl ?? `pkg:${p.type}/${p.name}@${p.version}`,
    licenses: ['MIT'],
    locations: [{ path: p.type === 'deb' ? '/var/lib/dpkg/status' : `/app/${p.name}` }],
    foundBy: 'varied@1',
    ...(p.source ? { source: { name: p.source, version: p.version } } : {}),
    ...(p.owned ? { ownedBy: { type: 'deb' as const, name: 'node-left-pad', version: '1.3.0-1' } } : {}),
    originLayer: p.app ? APP_LAYER : BASE_LAYER,
    metadata: { note: 'x'.repeat(200) },
  };
}

const changelog = (name: string, version: string, cve: string) =>
  gzipSync(
    `${name} (${version}) bookworm-security; urgency=medium\n\n  * Fix ${cve}.\n\n -- M <m@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n`,
  ).toString('base64');

interface Variant {
  name: string;
  distro?: SbomDistro;
  packages: Pkg[];
  findings?: { id: string; package: string; suppressed?: boolean }[];
  changelogs?: Record<string, string>;
  unreadableDb?: boolean;
}

const COMMON: Pkg[] = [
  { name: 'left-pad', version: '1.3.0', type: 'npm', app: true },
  { name: 'left-pad', version: '1.3.0', type: 'npm', owned: true },
  { name: 'Foo_Bar.baz', version: '2.0.0', type: 'python', app: true },
  {
    name: 'log4j-core',
    version: '2.14.0',
    type: 'java',
    purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0',
  },
  { name: 'quiet', version: '1.0.0', type: 'npm' },
];

const VARIANTS: Variant[] = [
  {
    name: 'debian',
    distro: DEBIAN,
    packages: [
      { name: 'libssl3', version: '3.0.11-1', type: 'deb', source: 'openssl' },
      { name: 'openssl', version: '3.0.11-1', type: 'deb', source: 'openssl' },
      { name: 'zlib1g', version: '1.2.13-1', type: 'deb', source: 'zlib', app: true },
      { name: 'bash', version: '5.2-1', type: 'deb', source: 'bash' },
      ...COMMON,
    ],
    findings: [{ id: 'CVE-2099-0009', package: 'bash' }],
    changelogs: {
      '/usr/share/doc/libssl3/changelog.Debian.gz': changelog('openssl', '3.0.11-1', 'CVE-2099-0001'),
      '/usr/share/doc/bash/changelog.Debian.gz': changelog('bash', '5.2-1', 'CVE-2099-0009'),
    },
  },
  {
    name: 'debian-unreadable',
    distro: DEBIAN,
    packages: [{ name: 'zlib1g', version: '1.2.13-1', type: 'deb', source: 'zlib' }, COMMON[0]!],
    findings: [{ id: 'CVE-2099-0100', package: 'left-pad', suppressed: true }],
    unreadableDb: true,
  },
  {
    name: 'alpine',
    distro: ALPINE,
    packages: [
      { name: 'libcrypto3', version: '3.1.4-r5', type: 'apk', source: 'openssl' },
      { name: 'musl', version: '1.2.4-r2', type: 'apk', source: 'musl' },
      ...COMMON,
    ],
  },
  {
    name: 'no-distro',
    packages: [{ name: 'libssl3', version: '3.0.11-1', type: 'deb', source: 'openssl' }, ...COMMON],
  },
  { name: 'language-only', packages: COMMON.slice(0, 3) },
];

const advisory = (a: SyntheticAdvisory, scheme: VersionScheme): Advisory => ({
  ...syntheticAdvisory(a),
  versionScheme: scheme,
});

/** Advisories under keys of packages of every variant. */
export const VARIED_ADVISORIES: readonly Advisory[] = [
  advisory(
    {
      id: 'CVE-2099-0001',
      namespace: 'debian:12',
      packageName: 'openssl',
      fixed: '3.0.13-1',
      severity: 'CRITICAL',
    },
    'deb',
  ),
  advisory({ id: 'CVE-2099-0002', namespace: 'debian:12', packageName: 'zlib', severity: 'LOW' }, 'deb'),
  advisory({ id: 'CVE-2099-0003', namespace: 'debian:12', packageName: 'openssl', wontFix: true }, 'deb'),
  advisory(
    { id: 'CVE-2099-0004', namespace: 'alpine:3.19', packageName: 'openssl', fixed: '3.1.5-r0' },
    'apk',
  ),
  advisory({ id: 'GHSA-0005', namespace: 'osv:npm', packageName: 'left-pad', fixed: '1.3.1' }, 'semver'),
  advisory({ id: 'GHSA-0006', namespace: 'osv:PyPI', packageName: 'foo-bar-baz', fixed: '2.0.1' }, 'pep440'),
  advisory(
    {
      id: 'CVE-2021-44228',
      namespace: 'osv:Maven',
      packageName: 'org.apache.logging.log4j:log4j-core',
      fixed: '2.15.0',
      severity: 'CRITICAL',
    },
    'maven',
  ),
];

/** The analyses, one per variant, digests `sha256:<n repeated>` in order. */
export function variedAnalyses(): Omit<AnalysisRecord, 'createdAt'>[] {
  return VARIANTS.map((v, i) => {
    const digest = `sha256:${String(i + 1).repeat(64)}`;
    const base = syntheticAnalysis(digest, []);
    const { distro: _, ...withoutDistro } = base.sbom;
    const sbom: SbomDocument = {
      ...withoutDistro,
      ...(v.distro ? { distro: v.distro } : {}),
      packages: v.packages.map(packageOf),
      files: [{ path: '/etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 10 }],
      unknowns: v.unreadableDb
        ? [
            {
              path: '/var/lib/dpkg/status',
              cataloger: 'dpkg',
              code: 'PACKAGE_DB_UNREADABLE',
              reason: 'truncated',
            },
          ]
        : [],
    };
    const findings: Finding[] = (v.findings ?? []).map((f) => syntheticFinding(sbom, f));
    return {
      ...base,
      sbom,
      findings,
      metadata: { ...base.metadata, ...(v.changelogs ? { changelogs: v.changelogs } : {}) },
    };
  });
}

/** Stores the analyses (indexed, as the service does) and imports the advisories; the keys changed. */
export async function storeVaried(db: Sql): Promise<PackageKey[]> {
  const analyses = new AnalysisRepository(db);
  for (const a of variedAnalyses()) await analyses.save(a);
  return loadAdvisories(new VulnerabilityStore(db), 'varied', VARIED_ADVISORIES);
}
