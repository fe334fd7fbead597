/**
 * Which advisory namespace and name a package is looked up under, and with which version.
 * Distro packages are keyed on their source package and the release (Debian's tracker and
 * Alpine's secdb are per source package); language packages on the ecosystem's OSV name.
 */
import { normalizePackageName } from '../advisories/package-names.js';
import type { VersionScheme } from '../advisories/model.js';
import type { SbomDistro } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import type { Evidence } from './types.js';

export interface Lookup {
  namespace: string;
  packageName: string;
  version: string;
  scheme: VersionScheme;
  strategy: Evidence['strategy'];
}

const LANGUAGE: Partial<Record<Package['type'], { ecosystem: string; scheme: VersionScheme }>> = {
  npm: { ecosystem: 'npm', scheme: 'semver' },
  python: { ecosystem: 'PyPI', scheme: 'pep440' },
  gem: { ecosystem: 'RubyGems', scheme: 'gem' },
  go: { ecosystem: 'Go', scheme: 'go' },
  rust: { ecosystem: 'crates.io', scheme: 'semver' },
  java: { ecosystem: 'Maven', scheme: 'maven' },
  php: { ecosystem: 'Packagist', scheme: 'composer' },
  dotnet: { ecosystem: 'NuGet', scheme: 'semver' },
};

/** The advisory namespace a language package type is looked up in (`osv:npm`); undefined for OS types. */
export function languageNamespace(type: Package['type']): string | undefined {
  const lang = LANGUAGE[type];
  return lang ? `osv:${lang.ecosystem}` : undefined;
}

/** `alpine:3.18` from VERSION_ID 3.18.4; Debian's VERSION_ID is already the major release. */
function releaseOf(distro: SbomDistro): string | undefined {
  if (!distro.versionId) return undefined;
  if (distro.id === 'alpine') return distro.versionId.split('.').slice(0, 2).join('.');
  return distro.versionId;
}

function mavenCoordinates(purl: string): string | undefined {
  const m = /^pkg:maven\/([^/]+)\/([^@?#]+)/.exec(purl);
  return m ? `${decodeURIComponent(m[1] as string)}:${decodeURIComponent(m[2] as string)}` : undefined;
}

export function lookupsFor(pkg: Package, distro: SbomDistro | undefined): Lookup[] {
  if (pkg.type === 'deb' || pkg.type === 'apk' || pkg.type === 'rpm') {
    if (!distro) return [];
    const release = releaseOf(distro);
    if (!release) return [];
    const scheme: VersionScheme = pkg.type === 'deb' ? 'deb' : pkg.type === 'apk' ? 'apk' : 'rpm';
    const namespace = `${distro.id}:${release}`;
    const lookups: Lookup[] = [];
    if (pkg.source) {
      lookups.push({
        namespace,
        packageName: pkg.source.name,
        version: pkg.source.version,
        scheme,
        strategy: 'distro-source-package',
      });
    }
    if (!pkg.source || pkg.source.name !== pkg.name) {
      lookups.push({
        namespace,
        packageName: pkg.name,
        version: pkg.version,
        scheme,
        strategy: 'distro-binary-package',
      });
    }
    return lookups;
  }
  // A language package installed by the distro is judged by the distro's data only.
  if (pkg.ownedBy) return [];
  const lang = LANGUAGE[pkg.type];
  if (!lang) return [];
  // OSV writes Go and SemVer versions without the leading v.
  const version = pkg.version.replace(/^v(?=\d)/, '');
  // Maven advisories are keyed group:artifact; the coordinates are in the PURL.
  const name = pkg.type === 'java' ? (mavenCoordinates(pkg.purl) ?? pkg.name) : pkg.name;
  return [
    {
      namespace: `osv:${lang.ecosystem}`,
      packageName: normalizePackageName(lang.scheme, name),
      version,
      scheme: lang.scheme,
      strategy: 'language-package',
    },
  ];
}
