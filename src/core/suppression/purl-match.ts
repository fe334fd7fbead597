/**
 * PURL matching for VEX products and ignore rules. A reference PURL without a version matches
 * every version; qualifiers it carries must be present with the same value on the package
 * (`pkg:deb/debian/openssl` matches `pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64`).
 */
import { PackageURL } from 'packageurl-js';

interface ParsedPurl {
  type: string;
  namespace: string;
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
}

export function parsePurl(text: string): ParsedPurl | undefined {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(text);
  } catch {
    return undefined;
  }
  const type = p.type.toLowerCase();
  return {
    type,
    namespace: normalizeName(type, p.namespace ?? ''),
    name: normalizeName(type, p.name),
    ...(p.version ? { version: p.version } : {}),
    qualifiers: { ...(p.qualifiers ?? {}) },
  };
}

/** The PURL spec's per-type rules that matter for equality. */
function normalizeName(type: string, name: string): string {
  if (type === 'pypi') return name.toLowerCase().replace(/[-_.]+/g, '-');
  if (type === 'deb' || type === 'apk' || type === 'gem' || type === 'golang') return name;
  if (type === 'github' || type === 'bitbucket') return name.toLowerCase();
  return name;
}

/** Parses once per reference: the same statement is tested against every finding. */
export class PurlMatcher {
  private readonly cache = new Map<string, ParsedPurl | undefined>();

  private parsed(text: string): ParsedPurl | undefined {
    if (!this.cache.has(text)) this.cache.set(text, parsePurl(text));
    return this.cache.get(text);
  }

  /** True when `reference` designates the package `purl` (see module comment). */
  matches(reference: string, purl: string): boolean {
    if (reference === purl) return true;
    const ref = this.parsed(reference);
    const pkg = this.parsed(purl);
    if (!ref || !pkg) return false;
    if (ref.type !== pkg.type || ref.namespace !== pkg.namespace || ref.name !== pkg.name) return false;
    if (ref.version !== undefined && ref.version !== pkg.version) return false;
    return Object.entries(ref.qualifiers).every(([k, v]) => pkg.qualifiers[k] === v);
  }

  isPurl(text: string): boolean {
    return this.parsed(text) !== undefined;
  }
}
