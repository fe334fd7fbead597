/**
 * Which CPE vendor/product names a package may appear under in NVD. Deliberately narrow: name
 * collisions are the classic CPE false positive (an npm `nx` matched to log4j, Python libraries
 * matched to Perl ones), so a candidate is only ever built from the package's own name and
 * coordinates, never from fuzzy similarity:
 * - product: the name (npm without its scope, Go's last module path segment, Maven's
 *   artifactId), lower-cased, and the same with `-` written `_` as NVD often does;
 * - vendor: the product itself, `<product>_project` (NVD's convention for projects without an
 *   organisation), the npm scope, the Go module's host owner, and the Maven groupId's
 *   organisation segment (`org.apache.logging.log4j` → `apache`) and last segment;
 * - target software: a CPE naming a runtime must name this package's runtime (a Python
 *   library is never matched by a `target_sw=perl` CPE).
 */
import type { SchemeId } from '../../versioning/types.js';
import type { Package, PackageType } from '../../sbom/model.js';

export interface CpeCandidates {
  vendors: string[];
  products: string[];
  /** Acceptable `target_sw` values besides ANY/NA. */
  targetSw: string[];
  /** How the package's version and the CPE bounds are ordered. */
  scheme: SchemeId;
}

/**
 * Version order per package type. Binaries carry upstream versions with no ecosystem rules of
 * their own; Debian's order is the most forgiving total order we ship for those (letters,
 * tildes, any number of dot-separated parts) and is what NVD's upstream versions look like.
 */
const SCHEME_OF_TYPE: Partial<Record<PackageType, SchemeId>> = {
  npm: 'semver',
  python: 'pep440',
  gem: 'gem',
  java: 'maven',
  go: 'go',
  rust: 'semver',
  php: 'composer',
  dotnet: 'semver',
  binary: 'deb',
};

const TARGET_SW: Partial<Record<PackageType, string[]>> = {
  npm: ['node.js', 'nodejs', 'npm'],
  python: ['python', 'pypi'],
  gem: ['ruby', 'rails', 'ruby_on_rails'],
  java: ['java', 'maven'],
  go: ['go', 'golang'],
  rust: ['rust'],
  php: ['php', 'composer'],
  dotnet: ['.net', '.net_core', 'asp.net', 'nuget'],
};

/** Maven group segments that name a domain, not an organisation. */
const DOMAIN_SEGMENTS = new Set(['org', 'com', 'net', 'io', 'dev', 'de', 'uk', 'co', 'fr', 'eu', 'me']);

function purlNamespace(purl: string): string[] {
  const m = /^pkg:[^/]+\/(.+)\/[^/@?#]+(?:[@?#]|$)/.exec(purl);
  return m ? (m[1] as string).split('/').map((s) => decodeURIComponent(s).toLowerCase()) : [];
}

function variants(name: string): string[] {
  const lower = name.toLowerCase();
  return [...new Set([lower, lower.replace(/-/g, '_')])];
}

/** Undefined for package types the CPE matcher does not handle (distro packages). */
export function cpeCandidates(pkg: Package): CpeCandidates | undefined {
  const scheme = SCHEME_OF_TYPE[pkg.type];
  if (!scheme) return undefined;
  let name = pkg.name;
  const vendors: string[] = [];
  if (pkg.type === 'npm' && name.startsWith('@') && name.includes('/')) {
    vendors.push(name.slice(1, name.indexOf('/')).toLowerCase());
    name = name.slice(name.indexOf('/') + 1);
  } else if (pkg.type === 'go') {
    const parts = name.split('/');
    if (parts.length >= 3) vendors.push((parts[1] as string).toLowerCase());
    name = parts[parts.length - 1] as string;
  } else if (pkg.type === 'java') {
    const group = purlNamespace(pkg.purl).join('.');
    const segments = group.split('.').filter((s) => s.length > 0);
    const org = segments.find((s) => !DOMAIN_SEGMENTS.has(s));
    if (org) vendors.push(org);
    if (segments.length) vendors.push(segments[segments.length - 1] as string);
    if (name.includes(':')) name = name.slice(name.lastIndexOf(':') + 1);
  } else {
    vendors.push(...purlNamespace(pkg.purl));
  }
  if (!name) return undefined;
  const products = variants(name);
  for (const p of products) vendors.push(p, `${p}_project`);
  return { vendors: [...new Set(vendors)], products, targetSw: TARGET_SW[pkg.type] ?? [], scheme };
}
