import { PackageURL } from 'packageurl-js';
import { normalizeLicense } from '../../sbom/license-names.js';
import type { ParsedPackage, ParseResult } from '../types.js';

/** A fresh, empty result; parsers add to it. */
export function emptyResult(): ParseResult {
  return { packages: [], relationships: [], problems: [] };
}

/** Relationship key as the generic cataloger resolves it: `type/name@version`. */
export function npmKey(name: string, version: string): string {
  return `npm/${name}@${version}`;
}

/** purl-spec: the scope is the namespace and keeps its `@` (encoded as %40). */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = slash > 0 ? name.slice(0, slash) : undefined;
  const short = slash > 0 ? name.slice(slash + 1) : name;
  return new PackageURL('npm', namespace, short, version || undefined, undefined, undefined).toString();
}

/**
 * npm package names are lowercase URL-safe strings of at most 214 characters; lockfiles from
 * hostile sources can carry anything, and a bad name would make PackageURL throw.
 */
export function isValidNpmName(name: string): boolean {
  return /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9_.~-][\w.~-]*$/i.test(name) && name.length <= 214;
}

/**
 * `license` is a string in modern package.json; older ones used `{type, url}` or an array
 * of those in `license` or `licenses`.
 */
export function npmLicenses(license: unknown, licenses?: unknown): string[] {
  const out: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value.trim() !== '') out.push(normalizeLicense(value));
    else if (Array.isArray(value)) value.forEach(add);
    else if (value !== null && typeof value === 'object' && 'type' in value)
      add((value as { type: unknown }).type);
  };
  add(license);
  add(licenses);
  return [...new Set(out)];
}

export function npmPackage(
  name: string,
  version: string,
  metadata: Record<string, unknown>,
  licenses: string[] = [],
): ParsedPackage {
  return { name, version, type: 'npm', purl: npmPurl(name, version), licenses, metadata };
}

/** The package name a `node_modules/...` path ends in, e.g. `a/node_modules/@s/b` → `@s/b`. */
export function nameFromNodeModulesPath(path: string): string | undefined {
  const idx = path.lastIndexOf('node_modules/');
  if (idx < 0) return undefined;
  const rest = path.slice(idx + 'node_modules/'.length);
  return rest === '' ? undefined : rest;
}

/** JSON.parse that reports failure instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** UTF-8 text without a leading byte-order mark (editors on Windows add one). */
export function decodeText(contents: Buffer): string {
  const text = contents.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
