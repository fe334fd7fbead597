/**
 * Stored analyses made up from package lists, for tests and benchmarks of the search index and
 * the re-match: a Debian 12 SBOM document (two layers: base and application) and findings shaped
 * exactly as the matcher writes them.
 */
import type { Finding, NormalizedSeverity } from '../../core/matching/types.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import type { Package, PackageType } from '../../core/sbom/model.js';

export const BASE_LAYER = `sha256:${'1'.repeat(64)}`;
export const APP_LAYER = `sha256:${'2'.repeat(64)}`;

export interface SyntheticPackage {
  name: string;
  version: string;
  type?: PackageType;
  /** The Debian source package (defaults to the name). */
  source?: string;
  /** In the application layer rather than the base image's. */
  app?: boolean;
}

export interface SyntheticFinding {
  id: string;
  aliases?: string[];
  /** Name of a package of the analysis. */
  package: string;
  severity?: NormalizedSeverity;
  fixedIn?: string;
  wontFix?: boolean;
  suppressed?: boolean;
}

function purlOf(p: SyntheticPackage): string {
  const type = p.type ?? 'deb';
  if (type === 'deb') return `pkg:deb/debian/${p.name}@${p.version}?distro=debian-12`;
  return `pkg:${type}/${p.name}@${p.version}`;
}

export function syntheticPackage(p: SyntheticPackage): Package {
  const type = p.type ?? 'deb';
  return {
    id: `${type}:${p.name}@${p.version}`,
    name: p.name,
    version: p.version,
    type,
    purl: purlOf(p),
    licenses: [],
    locations: [
      { path: type === 'deb' ? '/var/lib/dpkg/status' : `/app/node_modules/${p.name}/package.json` },
    ],
    foundBy: 'synthetic@1',
    ...(type === 'deb' ? { source: { name: p.source ?? p.name, version: p.version } } : {}),
    originLayer: p.app ? APP_LAYER : BASE_LAYER,
    metadata: {},
  };
}

export function syntheticFinding(doc: SbomDocument, f: SyntheticFinding): Finding {
  const pkg = doc.packages.find((p) => p.name === f.package);
  if (!pkg) throw new Error(`no package ${f.package} in the synthetic SBOM`);
  return {
    id: f.id,
    aliases: f.aliases ?? [],
    package: { id: pkg.id, name: pkg.name, version: pkg.version, type: pkg.type, purl: pkg.purl },
    fixState: f.wontFix ? 'wont-fix' : f.fixedIn ? 'fixed' : 'not-fixed',
    fixedVersions: f.fixedIn ? [f.fixedIn] : [],
    severity: f.severity ?? 'High',
    severities: [],
    cvss: [],
    ...(pkg.originLayer ? { originLayer: pkg.originLayer } : {}),
    origin: pkg.originLayer === APP_LAYER ? 'app' : 'base',
    confidence: 1,
    evidence: [
      {
        advisoryId: f.id,
        namespace: pkg.type === 'deb' ? 'debian:12' : `osv:${pkg.type}`,
        lookupName: pkg.source?.name ?? pkg.name,
        comparedVersion: pkg.version,
        scheme: pkg.type === 'deb' ? 'deb' : 'semver',
        strategy: pkg.type === 'deb' ? 'distro-source-package' : 'language-package',
        source: { driver: 'synthetic', file: 'synthetic.json', recordId: f.id },
      },
    ],
    ...(f.suppressed ? { suppressed: { by: 'ignore-rule' as const, reason: 'test' } } : {}),
  };
}

export function syntheticAnalysis(
  imageDigest: string,
  packages: readonly SyntheticPackage[],
  findings: readonly SyntheticFinding[] = [],
) {
  const doc = {
    schemaVersion: '1.0.0',
    descriptor: { name: 'portcullis', version: 'test' },
    createdAt: '2026-01-01T00:00:00Z',
    source: {
      type: 'image',
      input: 'synthetic',
      digest: imageDigest,
      layers: [
        { index: 0, digest: BASE_LAYER, diffId: BASE_LAYER, size: 1, mediaType: 'x' },
        { index: 1, digest: APP_LAYER, diffId: APP_LAYER, size: 1, mediaType: 'x' },
      ],
    },
    distro: { id: 'debian', versionId: '12', versionCodename: 'bookworm' },
    packages: packages.map(syntheticPackage),
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
  } satisfies SbomDocument;
  return {
    imageDigest,
    imageId: imageDigest.slice('sha256:'.length),
    analyzerVersion: 'test',
    metadata: {
      config: {
        architecture: 'amd64',
        os: 'linux',
        config: { User: 'app', Env: ['PATH=/usr/bin'], Cmd: ['/app/run'] },
        rootfs: { type: 'layers', diff_ids: [BASE_LAYER, APP_LAYER] },
        history: [
          { created_by: '/bin/sh -c #(nop) ADD file:base in /' },
          { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
          { created_by: 'COPY app /app' },
        ],
      },
      retrieved: {},
    },
    sbom: doc,
    findings: findings.map((f) => syntheticFinding(doc, f)),
  };
}

/** What a finding of a comparison test varies (diffs, index rows). */
export interface BareFinding {
  id: string;
  name: string;
  version: string;
  severity: NormalizedSeverity;
  fixed: readonly string[];
  aliases?: string[];
  path?: string;
  origin?: Finding['origin'];
}

/** A Debian finding with only the fields that finding comparisons read. */
export function bareFinding(f: BareFinding): Finding {
  return {
    id: f.id,
    aliases: f.aliases ?? [],
    package: {
      id: `deb:${f.name}@${f.version}`,
      name: f.name,
      version: f.version,
      type: 'deb',
      purl: `pkg:deb/debian/${f.name}@${f.version}`,
      ...(f.path === undefined ? {} : { path: f.path }),
    },
    fixState: f.fixed.length ? 'fixed' : 'not-fixed',
    fixedVersions: [...f.fixed],
    severity: f.severity,
    severities: [],
    cvss: [],
    origin: f.origin ?? 'base',
    confidence: 1,
    evidence: [{ namespace: 'debian:12' } as Finding['evidence'][number]],
  };
}
