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
import type { Package } from '../../sbom/model.js';
import { packageTypeInfo } from '../../sbom/package-types.js';

export interface CpeCandidates {
  vendors: string[];
  products: string[];
  /** Acceptable `target_sw` values besides ANY/NA. */
  targetSw: string[];
  /** How the package's version and the CPE bounds are ordered. */
  scheme: SchemeId;
}

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
  const cpe = packageTypeInfo(pkg.type).cpe;
  if (!cpe) return undefined;
  const scheme = cpe.scheme;
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
  return { vendors: [...new Set(vendors)], products, targetSw: [...cpe.targetSoftware], scheme };
}
