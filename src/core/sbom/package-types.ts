/**
 * The one table of package types: for each type the cataloger emits, its PURL type, version
 * scheme, where its advisories come from, and how the CPE fallback reads it. Everything else
 * derives from here (the PackageType union, SBOM decoding, ignore-file synonyms, advisory
 * lookups, the OSV ecosystems downloaded, CPE candidates, version order by type). Adding an
 * ecosystem means one row here plus its cataloger and, if new, its version scheme.
 */
import type { SchemeId } from '../versioning/types.js';

/** Where a package type's vulnerabilities are published. */
export type AdvisorySource =
  /** Per distro release (`debian:12`, `alpine:3.18`), keyed on the source package. */
  | { kind: 'distro' }
  /** An OSV ecosystem, imported into the `osv:<ecosystem>` namespace. */
  | { kind: 'osv'; ecosystem: string }
  /** No advisory ecosystem exists; the reason is shown to whoever adds a type. */
  | { kind: 'none'; reason: string };

export interface PackageTypeInfo {
  /** PURL type (purl-spec), written by catalogers and read back from SBOMs. */
  purlType: string;
  /** Version order of the ecosystem; absent only where versions have no common scheme. */
  scheme?: SchemeId;
  advisories: AdvisorySource;
  /** CPE fallback: NVD target_sw values that name the ecosystem, and the order used for bounds. */
  cpe?: { targetSoftware: readonly string[]; scheme: SchemeId };
}

const osv = (ecosystem: string): AdvisorySource => ({ kind: 'osv', ecosystem });
const DISTRO: AdvisorySource = { kind: 'distro' };

export const PACKAGE_TYPE_TABLE = {
  deb: { purlType: 'deb', scheme: 'deb', advisories: DISTRO },
  rpm: { purlType: 'rpm', scheme: 'rpm', advisories: DISTRO },
  apk: { purlType: 'apk', scheme: 'apk', advisories: DISTRO },
  npm: {
    purlType: 'npm',
    scheme: 'semver',
    advisories: osv('npm'),
    cpe: { targetSoftware: ['node.js', 'nodejs', 'npm'], scheme: 'semver' },
  },
  python: {
    purlType: 'pypi',
    scheme: 'pep440',
    advisories: osv('PyPI'),
    cpe: { targetSoftware: ['python', 'pypi'], scheme: 'pep440' },
  },
  gem: {
    purlType: 'gem',
    scheme: 'gem',
    advisories: osv('RubyGems'),
    cpe: { targetSoftware: ['ruby', 'rails', 'ruby_on_rails'], scheme: 'gem' },
  },
  java: {
    purlType: 'maven',
    scheme: 'maven',
    advisories: osv('Maven'),
    cpe: { targetSoftware: ['java', 'maven'], scheme: 'maven' },
  },
  go: {
    purlType: 'golang',
    scheme: 'go',
    advisories: osv('Go'),
    cpe: { targetSoftware: ['go', 'golang'], scheme: 'go' },
  },
  rust: {
    purlType: 'cargo',
    scheme: 'semver',
    advisories: osv('crates.io'),
    cpe: { targetSoftware: ['rust'], scheme: 'semver' },
  },
  php: {
    purlType: 'composer',
    scheme: 'composer',
    advisories: osv('Packagist'),
    cpe: { targetSoftware: ['php', 'composer'], scheme: 'composer' },
  },
  dotnet: {
    purlType: 'nuget',
    scheme: 'nuget',
    advisories: osv('NuGet'),
    cpe: { targetSoftware: ['.net', '.net_core', 'asp.net', 'nuget'], scheme: 'nuget' },
  },
  binary: {
    purlType: 'generic',
    advisories: {
      kind: 'none',
      reason:
        'a binary found by its file (a static busybox, a JRE) belongs to no package ecosystem: ' +
        'only NVD CPE data names it, so it is matched by the CPE fallback alone',
    },
    // Binaries carry upstream versions with no ecosystem rules of their own; Debian's order is
    // the most forgiving total order we ship (letters, tildes, any number of parts) and is what
    // NVD's upstream versions look like.
    cpe: { targetSoftware: [], scheme: 'deb' },
  },
} as const satisfies Record<string, PackageTypeInfo>;

/** Package types; they double as the PURL type where one exists. */
export type PackageType = keyof typeof PACKAGE_TYPE_TABLE;

export const PACKAGE_TYPES = Object.keys(PACKAGE_TYPE_TABLE) as PackageType[];

export function packageTypeInfo(type: PackageType): PackageTypeInfo {
  return PACKAGE_TYPE_TABLE[type];
}

/** The version scheme of a package type, if it has one. */
export function schemeOfType(type: PackageType): SchemeId | undefined {
  return packageTypeInfo(type).scheme;
}

/** Distro packages (deb, rpm, apk): keyed on their source package, judged by distro data. */
export function isDistroType(type: PackageType): boolean {
  return packageTypeInfo(type).advisories.kind === 'distro';
}

/** The OSV ecosystem of a package type (`PyPI` for python), if its advisories are in OSV. */
export function osvEcosystemOf(type: PackageType): string | undefined {
  const source = packageTypeInfo(type).advisories;
  return source.kind === 'osv' ? source.ecosystem : undefined;
}

/** Every OSV ecosystem a package type is matched against, with its scheme. */
export function osvEcosystems(): { ecosystem: string; scheme: SchemeId }[] {
  return PACKAGE_TYPES.flatMap((type) => {
    const info = packageTypeInfo(type);
    return info.advisories.kind === 'osv' && info.scheme
      ? [{ ecosystem: info.advisories.ecosystem, scheme: info.scheme }]
      : [];
  });
}

/** The package type a PURL type stands for (`pypi` → python); undefined for unknown types. */
export function packageTypeOfPurl(purlType: string): PackageType | undefined {
  return PACKAGE_TYPES.find((type) => PACKAGE_TYPE_TABLE[type].purlType === purlType);
}
