import { posix } from 'node:path';
import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { pythonLicenses } from './licenses.js';
import { pythonPurl } from './names.js';
import { header, headers, parseCoreMetadata } from './parse-core-metadata.js';
import { declaredRequirements, resolveRequirements } from './requirements.js';

export { normalizePythonName, pythonPurl } from './names.js';

/** Bounds the file list kept per package (RECORD of a huge distribution). */
const MAX_FILES = 20_000;

/** RECORD is CSV (`path,hash,size`); paths may be quoted when they contain commas. */
export function parseRecord(text: string, siteDir: string): string[] {
  const files: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || files.length >= MAX_FILES) continue;
    const m = /^"((?:[^"]|"")*)"|^([^,]*)/.exec(line);
    const rel = m?.[1] !== undefined ? m[1].replace(/""/g, '"') : (m?.[2] ?? '');
    if (rel !== '') files.push(posix.normalize(posix.isAbsolute(rel) ? rel : posix.join(siteDir, rel)));
  }
  return files;
}

/** Where the metadata lives: the site directory and the sibling file list, by layout. */
function layout(path: string): { siteDir: string; fileList?: string; kind: string } {
  const base = posix.basename(path);
  const dir = posix.dirname(path);
  if (base === 'METADATA')
    return { siteDir: posix.dirname(dir), fileList: posix.join(dir, 'RECORD'), kind: 'dist-info' };
  if (base === 'PKG-INFO') {
    return {
      siteDir: posix.dirname(dir),
      fileList: posix.join(dir, 'installed-files.txt'),
      kind: 'egg-info',
    };
  }
  return { siteDir: dir, kind: 'egg-info-file' }; // `<name>.egg-info` as a single PKG-INFO file
}

/** `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and `*.egg-info` files. */
export async function parsePythonMetadata(file: FileInput, context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  const meta = parseCoreMetadata(file.contents);
  const name = header(meta, 'Name');
  const version = header(meta, 'Version');
  if (name === undefined || name === '' || version === undefined || version === '') {
    result.problems.push(`${file.path}: core metadata without Name and Version`);
    return result;
  }
  if (meta.latin1) result.problems.push(`${file.path}: not valid UTF-8, read as Latin-1`);
  const where = layout(file.path);
  const metadata: Record<string, unknown> = {
    path: file.path,
    sitePackages: where.siteDir,
    metadataKind: where.kind,
    requiresDist: headers(meta, 'Requires-Dist'),
  };
  for (const [key, field] of [
    ['summary', 'Summary'],
    ['homepage', 'Home-page'],
    ['author', 'Author'],
    ['requiresPython', 'Requires-Python'],
  ] as const) {
    const value = header(meta, field);
    if (value !== undefined && value !== '' && value !== 'UNKNOWN') metadata[key] = value;
  }
  if (where.fileList !== undefined) {
    const list = await context.resolver.read(where.fileList);
    if (list !== undefined) {
      // installed-files.txt paths are relative to the egg-info directory, RECORD's to the site dir.
      const base = where.kind === 'egg-info' ? posix.dirname(file.path) : where.siteDir;
      metadata.files = parseRecord(list.toString('utf8'), base);
    }
  }
  let purl: string;
  try {
    purl = pythonPurl(name, version);
  } catch (err) {
    result.problems.push(
      `${file.path}: cannot form a PURL for ${name}@${version}: ${(err as Error).message}`,
    );
    return result;
  }
  result.packages.push({ name, version, type: 'python', purl, licenses: pythonLicenses(meta), metadata });
  const requirements = await declaredRequirements(meta, file.path, context.resolver);
  for (const to of await resolveRequirements(requirements, where.siteDir, context.resolver)) {
    result.relationships.push({ from: `python/${name}@${version}`, to, type: 'depends-on' });
  }
  return result;
}
