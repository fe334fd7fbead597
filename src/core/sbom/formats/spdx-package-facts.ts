/**
 * What an SPDX 2.3 package says beyond name and version, from the facts our catalogers keep:
 * supplier and originator (7.5, 7.6), download location (7.7), checksums (7.10) and home page
 * (7.11). Only facts the package really records are written; guesses stay out.
 */
import type { Package } from '../model.js';

/** Names that are teams or companies rather than people (Debian's "... Maintainers" lists). */
const ORGANIZATION =
  /\b(team|maintainers|group|project|foundation|developers|packagers|community|consortium|inc|ltd|llc|gmbh|corp|corporation|company)\b\.?/i;

/**
 * `Name <email>` (deb-control(5), apk, Python metadata) in the spec's actor syntax:
 * `Person: Name (email)` or `Organization: Name (email)`; mailing-list addresses are teams.
 */
export function spdxActor(text: string, kind?: 'Person' | 'Organization'): string | undefined {
  const m = /^\s*([^<>]*?)\s*(?:<([^<>\s]+)>)?\s*$/.exec(text.replace(/[\r\n]+/g, ' '));
  const name = m?.[1]?.replace(/[()]/g, '').trim();
  if (!m || !name) return undefined;
  const email = m[2];
  const who = kind ?? (ORGANIZATION.test(name) || /@lists\./.test(email ?? '') ? 'Organization' : 'Person');
  return `${who}: ${name}${email ? ` (${email})` : ''}`;
}

function textOf(pkg: Package, key: string): string | undefined {
  const value = pkg.metadata[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Who distributes the package: the distro maintainer or RPM vendor. */
export function supplierOf(pkg: Package): string | undefined {
  if (pkg.type === 'deb' || pkg.type === 'apk') {
    const maintainer = textOf(pkg, 'maintainer');
    return maintainer ? spdxActor(maintainer) : undefined;
  }
  const vendor = pkg.type === 'rpm' ? textOf(pkg, 'vendor') : undefined;
  return vendor ? spdxActor(vendor, 'Organization') : undefined;
}

/** Who wrote the package, where its own metadata says so (Python's Author). */
export function originatorOf(pkg: Package): string | undefined {
  const author = pkg.type === 'python' ? textOf(pkg, 'author') : undefined;
  return author ? spdxActor(author) : undefined;
}

const HTTP_URL = /^https?:\/\/[^\s]+$/;

/** The archive the package was fetched from, as lockfiles record it. */
export function downloadLocationOf(pkg: Package): string {
  const url = textOf(pkg, 'resolved') ?? textOf(pkg, 'distUrl');
  return url && HTTP_URL.test(url) ? url : 'NOASSERTION';
}

export function homepageOf(pkg: Package): string | undefined {
  const url = textOf(pkg, 'homepage') ?? (pkg.type === 'rpm' ? textOf(pkg, 'url') : undefined);
  return url && HTTP_URL.test(url) ? url : undefined;
}

const SRI_ALGORITHMS: Record<string, { algorithm: string; hexLength: number }> = {
  sha1: { algorithm: 'SHA1', hexLength: 40 },
  sha256: { algorithm: 'SHA256', hexLength: 64 },
  sha384: { algorithm: 'SHA384', hexLength: 96 },
  sha512: { algorithm: 'SHA512', hexLength: 128 },
};

export interface SpdxChecksum {
  algorithm: string;
  checksumValue: string;
}

/**
 * Digests of the package archive: npm's Subresource Integrity strings (`sha512-<base64>`,
 * several separated by spaces) and Cargo.lock's SHA-256 `checksum`.
 */
export function checksumsOf(pkg: Package): SpdxChecksum[] {
  const out: SpdxChecksum[] = [];
  for (const sri of (textOf(pkg, 'integrity') ?? '').split(/\s+/)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$/.exec(sri);
    const known = m ? SRI_ALGORITHMS[m[1] as string] : undefined;
    if (!m || !known) continue;
    const hex = Buffer.from(m[2] as string, 'base64').toString('hex');
    if (hex.length === known.hexLength) out.push({ algorithm: known.algorithm, checksumValue: hex });
  }
  const cargo = pkg.type === 'rust' ? textOf(pkg, 'checksum')?.toLowerCase() : undefined;
  if (cargo && /^[0-9a-f]{64}$/.test(cargo)) out.push({ algorithm: 'SHA256', checksumValue: cargo });
  const unique = new Map(out.map((c) => [`${c.algorithm}:${c.checksumValue}`, c]));
  return [...unique.values()].sort((a, b) => a.algorithm.localeCompare(b.algorithm));
}
