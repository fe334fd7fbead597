import { posix } from 'node:path';
import type { FileResolver } from '../types.js';
import { header, headers, parseCoreMetadata, type CoreMetadata } from './parse-core-metadata.js';
import { normalizePythonName } from './names.js';

/** Resolving edges reads one sibling per requirement; a hostile METADATA must not make that unbounded. */
const MAX_REQUIREMENTS = 200;

/** Requirement names that are always installed: `Requires-Dist` (or egg-info `requires.txt`) minus extras. */
export async function declaredRequirements(
  meta: CoreMetadata,
  metadataPath: string,
  resolver: FileResolver,
): Promise<string[]> {
  const specs: string[] = [];
  if (posix.basename(metadataPath) === 'PKG-INFO') {
    // setuptools egg-info keeps requirements in requires.txt; `[extra]` sections are optional,
    // `[:marker]` sections are conditional on the environment (kept: we cannot evaluate them).
    const text =
      (await resolver.read(posix.join(posix.dirname(metadataPath), 'requires.txt')))?.toString('utf8') ?? '';
    let optional = false;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('[')) optional = !line.startsWith('[:');
      else if (!optional) specs.push(line);
    }
  }
  for (const spec of headers(meta, 'Requires-Dist')) {
    const marker = spec.split(';')[1] ?? '';
    if (!/\bextra\s*==/.test(marker)) specs.push(spec);
  }
  const names = specs
    .map((s) => /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(s)?.[1])
    .filter((n): n is string => n !== undefined);
  return [...new Set(names)].slice(0, MAX_REQUIREMENTS);
}

/** `charset_normalizer-3.0.1.dist-info` → `charset-normalizer`; `cryptography.egg-info` → `cryptography`. */
function nameFromMetadataDir(path: string): string {
  const dir = posix.basename(path.endsWith('.egg-info') ? path : posix.dirname(path));
  return normalizePythonName(dir.replace(/\.(dist|egg)-info$/, '').split('-')[0] ?? '');
}

/**
 * Keys (`python/<Name>@<Version>`) of the installed distributions in the same site directory that
 * satisfy the given requirement names. Names and versions come from each target's own metadata so
 * the keys match the packages that target's parse produces.
 */
export async function resolveRequirements(
  names: string[],
  siteDir: string,
  resolver: FileResolver,
): Promise<string[]> {
  if (names.length === 0) return [];
  const candidates = await resolver.glob(`${siteDir}/*.{dist-info/METADATA,egg-info/PKG-INFO,egg-info}`);
  const byName = new Map<string, string>();
  for (const c of candidates) if (!byName.has(nameFromMetadataDir(c))) byName.set(nameFromMetadataDir(c), c);
  const keys: string[] = [];
  for (const name of names) {
    const path = byName.get(normalizePythonName(name));
    const contents = path === undefined ? undefined : await resolver.read(path);
    if (contents === undefined) continue;
    const meta = parseCoreMetadata(contents);
    const [n, v] = [header(meta, 'Name'), header(meta, 'Version')];
    if (n !== undefined && v !== undefined) keys.push(`python/${n}@${v}`);
  }
  return keys;
}
