/**
 * Files a dpkg package owns: info/<pkg>.list (or <pkg>:<arch>.list for Multi-Arch: same and
 * foreign-arch packages) with digests from the matching .md5sums. Distroless images keep only
 * status.d/<pkg>.md5sums, so there the md5sums file is the list.
 */
import { posix } from 'node:path';
import type { FileResolver } from '../types.js';
import { decodeControl } from './control.js';

export interface OwnedFile {
  path: string;
  md5?: string;
}

export interface OwnedFiles {
  files: OwnedFile[];
  /** Evidence files that were read. */
  sources: string[];
}

/** Candidate base names for a package's info files, most specific first. */
export function infoBaseNames(name: string, arch: string | undefined): string[] {
  return arch ? [`${name}:${arch}`, name] : [name];
}

export async function readOwnedFiles(
  resolver: FileResolver,
  infoDir: string,
  baseNames: string[],
  listExtension: '.list' | '.md5sums',
): Promise<OwnedFiles | undefined> {
  for (const base of baseNames) {
    const listPath = posix.join(infoDir, `${base}${listExtension}`);
    const list = await resolver.read(listPath);
    if (list === undefined) continue;
    const sources = [listPath];
    const md5Path = posix.join(infoDir, `${base}.md5sums`);
    const md5s =
      listExtension === '.md5sums' ? parseMd5sums(list) : await readMd5s(resolver, md5Path, sources);
    const paths = listExtension === '.md5sums' ? [...md5s.keys()] : parseList(list);
    return { files: paths.map((path) => withMd5(path, md5s.get(path))), sources };
  }
  return undefined;
}

async function readMd5s(
  resolver: FileResolver,
  path: string,
  sources: string[],
): Promise<Map<string, string>> {
  const bytes = await resolver.read(path);
  if (bytes === undefined) return new Map();
  sources.push(path);
  return parseMd5sums(bytes);
}

function withMd5(path: string, md5: string | undefined): OwnedFile {
  return md5 === undefined ? { path } : { path, md5 };
}

/** One absolute path per line; "/." is dpkg's marker for the root and owns nothing. */
export function parseList(bytes: Buffer): string[] {
  return decodeControl(bytes)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.startsWith('/') && l !== '/.');
}

/** md5sum(1) output: "<32 hex>  <path relative to />" (a '*' instead of the second space in binary mode). */
export function parseMd5sums(bytes: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const hex = /^[0-9a-fA-F]{32}$/;
  for (const raw of decodeControl(bytes).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length < 35 || line[32] !== ' ' || (line[33] !== ' ' && line[33] !== '*')) continue;
    const digest = line.slice(0, 32);
    if (!hex.test(digest)) continue;
    const path = line.slice(34);
    out.set(path.startsWith('/') ? path.replace(/^\/+/, '/') : `/${path}`, digest.toLowerCase());
  }
  return out;
}
