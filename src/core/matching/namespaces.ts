/**
 * Which advisory namespace and name a package is looked up under, and with which version.
 * Distro packages are keyed on their source package and the release (Debian's tracker and
 * Alpine's secdb are per source package); language packages on the ecosystem's OSV name. Which
 * is which, and the scheme, comes from the package-type table.
 */
import { normalizePackageName } from '../advisories/package-names.js';
import type { VersionScheme } from '../advisories/model.js';
import type { SbomDistro } from '../sbom/document.js';
import type { Package } from '../sbom/model.js';
import { packageTypeInfo } from '../sbom/package-types.js';
import { distroNamespace, sourceLookupName, sourceLookupVersion } from './distro-namespaces.js';
import type { Evidence } from './types.js';

export interface Lookup {
  namespace: string;
  packageName: string;
  version: string;
  scheme: VersionScheme;
  strategy: Evidence['strategy'];
  /** How sure a match through this lookup is (1 unless the name itself was inferred). */
  confidence: number;
}

/**
 * A jar without Maven metadata names its artifact but not its group: it is looked up as
 * `<group>:<artifact>` for each group its manifest hints at (the java cataloger's
 * `groupIdCandidates`), and a match says so with this confidence.
 */
export const MAVEN_ARTIFACT_CONFIDENCE = 0.6;

/** The advisory namespace a language package type is looked up in (`osv:npm`); undefined for OS types. */
export function languageNamespace(type: Package['type']): string | undefined {
  const advisories = packageTypeInfo(type).advisories;
  return advisories.kind === 'osv' ? `osv:${advisories.ecosystem}` : undefined;
}

function mavenCoordinates(purl: string): string | undefined {
  const m = /^pkg:maven\/([^/]+)\/([^@?#]+)/.exec(purl);
  return m ? `${decodeURIComponent(m[1] as string)}:${decodeURIComponent(m[2] as string)}` : undefined;
}

export function lookupsFor(pkg: Package, distro: SbomDistro | undefined): Lookup[] {
  const info = packageTypeInfo(pkg.type);
  const scheme = info.scheme;
  if (scheme === undefined) return [];
  if (info.advisories.kind === 'distro') {
    if (!distro) return [];
    // Per-distro release granularity (redhat:9, amzn:2023, wolfi:rolling) lives in one place.
    const namespace = distroNamespace(distro);
    if (!namespace) return [];
    const lookups: Lookup[] = [];
    if (pkg.source) {
      lookups.push({
        namespace,
        packageName: sourceLookupName(namespace, pkg, pkg.source.name),
        version: sourceLookupVersion(pkg.type, pkg.version, pkg.source.version),
        scheme,
        strategy: 'distro-source-package',
        confidence: 1,
      });
    }
    if (!pkg.source || pkg.source.name !== pkg.name) {
      lookups.push({
        namespace,
        packageName: pkg.name,
        version: pkg.version,
        scheme,
        strategy: 'distro-binary-package',
        confidence: 1,
      });
    }
    return lookups;
  }
  // A language package installed by the distro is judged by the distro's data only.
  if (pkg.ownedBy) return [];
  if (info.advisories.kind !== 'osv') return [];
  const ecosystem = info.advisories.ecosystem;
  // OSV writes Go and SemVer versions without the leading v.
  const version = pkg.version.replace(/^v(?=\d)/, '');
  const lookup = (name: string, strategy: Evidence['strategy'], confidence: number): Lookup => ({
    namespace: `osv:${ecosystem}`,
    packageName: normalizePackageName(scheme, name),
    version,
    scheme,
    strategy,
    confidence,
  });
  if (pkg.type !== 'java') return [lookup(pkg.name, 'language-package', 1)];
  // Maven advisories are keyed group:artifact; the coordinates are in the PURL.
  const coordinates = mavenCoordinates(pkg.purl);
  if (coordinates) return [lookup(coordinates, 'language-package', 1)];
  return groupCandidates(pkg).map((group) =>
    lookup(`${group}:${pkg.name}`, 'maven-artifact', MAVEN_ARTIFACT_CONFIDENCE),
  );
}

function groupCandidates(pkg: Package): string[] {
  const hints = pkg.metadata.groupIdCandidates;
  const groups = Array.isArray(hints) ? hints.filter((g): g is string => typeof g === 'string') : [];
  return groups.length > 0 ? groups : [pkg.name];
}
