import { parse as parseYaml } from 'yaml';
import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { decodeText, emptyResult, isValidNpmName, npmKey, npmPackage } from './common.js';

/**
 * pnpm package keys by lockfile version:
 *   v5: `/name/1.0.0`, `/@s/name/1.0.0_peer@2.0.0`
 *   v6: `/name@1.0.0`, `/@s/name@1.0.0(peer@2.0.0)`
 *   v9: `name@1.0.0`, `@s/name@1.0.0(peer@2.0.0)` (snapshots keep the peer suffix)
 */
export function parsePnpmKey(key: string): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  const paren = k.indexOf('(');
  if (paren >= 0) k = k.slice(0, paren);
  const at = k.indexOf('@', 1);
  if (at > 0) {
    const name = k.slice(0, at);
    // In v5 keys the `@` found may belong to a peer suffix (`/a/1.0.0_b@2.0.0`): then the name part has too many slashes.
    const slashes = name.split('/').length - 1;
    if (slashes === (name.startsWith('@') ? 1 : 0)) return { name, version: k.slice(at + 1) };
  }
  const parts = k.split('/');
  const scoped = parts[0]?.startsWith('@') === true;
  const nameParts = scoped ? 2 : 1;
  if (parts.length !== nameParts + 1) return undefined;
  const version = (parts[nameParts] ?? '').replace(/_.*$/, '');
  return { name: parts.slice(0, nameParts).join('/'), version };
}

/** A dependency's value: `1.2.3`, `1.2.3(peer@1)`, `/real@1.0.0` (alias, v6), `real@1.0.0` (v9 alias), or `link:…`. */
function dependencyTarget(name: string, value: unknown): { name: string; version: string } | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const v = String(value);
  if (/^(link|file|workspace):/.test(v)) return undefined;
  if (v.startsWith('/') || /^@?[^@(]+@/.test(v)) return parsePnpmKey(v);
  return { name, version: v.replace(/[(_].*$/, '') };
}

function mapping(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** pnpm-lock.yaml (lockfile v5, v6 and v9). */
export async function parsePnpmLock(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result = emptyResult();
  // Lockfiles shipped inside installed packages describe their authors' dev trees, not this install.
  if (file.path.includes('/node_modules/')) return result;
  let doc: unknown;
  try {
    doc = parseYaml(decodeText(file.contents), { maxAliasCount: 100 });
  } catch (err) {
    result.problems.push(`${file.path}: invalid YAML: ${(err as Error).message}`);
    return result;
  }
  const root = mapping(doc);
  if (!('packages' in root) && !('lockfileVersion' in root)) {
    result.problems.push(`${file.path}: no lockfileVersion or packages`);
    return result;
  }
  const seen = new Set<string>();
  const packages = mapping(root.packages);
  for (const [key, raw] of Object.entries(packages)) {
    const id = parsePnpmKey(key);
    if (id === undefined || !isValidNpmName(id.name) || id.version === '') {
      result.problems.push(`${file.path}: cannot read package key "${key}"`);
      continue;
    }
    const k = npmKey(id.name, id.version);
    if (seen.has(k)) continue; // v6 lists one key per peer-dependency combination
    seen.add(k);
    const fields = mapping(raw);
    const metadata: Record<string, unknown> = { path: file.path };
    const resolution = mapping(fields.resolution);
    if (typeof resolution.integrity === 'string') metadata.integrity = resolution.integrity;
    if (typeof resolution.tarball === 'string') metadata.resolved = resolution.tarball;
    if (fields.dev === true) metadata.dev = true;
    result.packages.push(npmPackage(id.name, id.version, metadata));
  }
  // v9 moved dependency edges to `snapshots`; earlier versions keep them on `packages`.
  const edges = 'snapshots' in root ? mapping(root.snapshots) : packages;
  const relSeen = new Set<string>();
  for (const [key, raw] of Object.entries(edges)) {
    const from = parsePnpmKey(key);
    if (from === undefined) continue;
    const fields = mapping(raw);
    for (const [dep, value] of Object.entries({
      ...mapping(fields.dependencies),
      ...mapping(fields.optionalDependencies),
    })) {
      const to = dependencyTarget(dep, value);
      if (to === undefined) continue;
      const rel = `${npmKey(from.name, from.version)} ${npmKey(to.name, to.version)}`;
      if (relSeen.has(rel)) continue;
      relSeen.add(rel);
      result.relationships.push({
        from: npmKey(from.name, from.version),
        to: npmKey(to.name, to.version),
        type: 'depends-on',
      });
    }
  }
  return result;
}
