import { parse as parseYaml } from 'yaml';
import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { decodeText, emptyResult, isValidNpmName, npmKey, npmPackage } from './common.js';

interface Entry {
  /** Real package name when the lockfile records it apart from the descriptor (berry aliases). */
  name?: string;
  descriptors: string[];
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies: Record<string, string>;
}

/** `@scope/name@^1.0.0` → [`@scope/name`, `^1.0.0`]; the first `@` of a scope is not the separator. */
export function splitDescriptor(descriptor: string): [string, string] {
  const at = descriptor.indexOf('@', 1);
  return at < 0 ? [descriptor, ''] : [descriptor.slice(0, at), descriptor.slice(at + 1)];
}

function unquote(value: string): string {
  const v = value.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** `"a@^1", a@~1.2:` → descriptors. */
function splitKeys(line: string): string[] {
  return line
    .replace(/:\s*$/, '')
    .split(/,\s*/)
    .map(unquote)
    .filter((d) => d !== '');
}

/**
 * Yarn classic (v1) lockfiles are not YAML: top-level keys list descriptors, 2-space fields hold
 * `key value` pairs, and `dependencies:` blocks indent one level further.
 */
function parseClassic(text: string, path: string, result: ParseResult): Entry[] {
  const entries: Entry[] = [];
  let current: Entry | undefined;
  let block: 'dependencies' | 'other' | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0) {
      if (!body.endsWith(':')) {
        result.problems.push(`${path}:${index + 1}: unexpected top-level line`);
        current = undefined;
        return;
      }
      current = { descriptors: splitKeys(body), dependencies: {} };
      entries.push(current);
      block = undefined;
      return;
    }
    if (current === undefined) return;
    if (indent <= 2) {
      block = undefined;
      if (body.endsWith(':')) {
        block = body === 'dependencies:' || body === 'optionalDependencies:' ? 'dependencies' : 'other';
        return;
      }
      const m = /^("[^"]*"|\S+)\s+(.*)$/.exec(body);
      if (m === null) return;
      const key = unquote(m[1] ?? '');
      const value = unquote(m[2] ?? '');
      if (key === 'version') current.version = value;
      else if (key === 'resolved') current.resolved = value;
      else if (key === 'integrity') current.integrity = value;
      return;
    }
    if (block === 'dependencies') {
      const m = /^("[^"]*"|\S+)\s+(.*)$/.exec(body);
      if (m !== null) current.dependencies[unquote(m[1] ?? '')] = unquote(m[2] ?? '');
    }
  });
  return entries;
}

function asStringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter((e): e is [string, string] => typeof e[1] === 'string' || typeof e[1] === 'number')
      .map(([k, v]) => [k, String(v)]),
  );
}

/** Yarn berry (v2+) lockfiles are YAML with a `__metadata` key and `name@npm:range` descriptors. */
function parseBerry(doc: Record<string, unknown>, path: string, result: ParseResult): Entry[] {
  const entries: Entry[] = [];
  for (const [key, raw] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    if (raw === null || typeof raw !== 'object') {
      result.problems.push(`${path}: entry "${key}" is not a mapping`);
      continue;
    }
    const fields = raw as Record<string, unknown>;
    const resolution = typeof fields.resolution === 'string' ? fields.resolution : '';
    // Workspaces and local links are the project's own sources, not installed packages.
    if (/@(workspace|link|portal):/.test(resolution)) continue;
    const entry: Entry = { descriptors: splitKeys(key), dependencies: asStringRecord(fields.dependencies) };
    if (typeof fields.version === 'string' || typeof fields.version === 'number')
      entry.version = String(fields.version);
    if (resolution !== '') {
      entry.resolved = resolution;
      entry.name = splitDescriptor(resolution)[0];
    }
    if (typeof fields.checksum === 'string') entry.integrity = fields.checksum;
    entries.push(entry);
  }
  return entries;
}

/** yarn.lock, classic v1 and berry formats. */
export async function parseYarnLock(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result = emptyResult();
  // Lockfiles shipped inside installed packages describe their authors' dev trees, not this install.
  if (file.path.includes('/node_modules/')) return result;
  const text = decodeText(file.contents);
  let entries: Entry[];
  if (/^__metadata:/m.test(text)) {
    let doc: unknown;
    try {
      doc = parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      result.problems.push(`${file.path}: invalid YAML: ${(err as Error).message}`);
      return result;
    }
    if (doc === null || typeof doc !== 'object') {
      result.problems.push(`${file.path}: not a YAML mapping`);
      return result;
    }
    entries = parseBerry(doc as Record<string, unknown>, file.path, result);
  } else {
    entries = parseClassic(text, file.path, result);
  }

  const byDescriptor = new Map<string, { name: string; version: string }>();
  const resolvedEntries: [Entry, string, string][] = [];
  for (const entry of entries) {
    const first = entry.descriptors[0];
    const name = entry.name ?? (first === undefined ? undefined : splitDescriptor(first)[0]);
    if (name === undefined || entry.version === undefined || !isValidNpmName(name)) {
      result.problems.push(`${file.path}: entry "${entry.descriptors.join(', ')}" has no valid name/version`);
      continue;
    }
    for (const d of entry.descriptors) byDescriptor.set(d, { name, version: entry.version });
    resolvedEntries.push([entry, name, entry.version]);
  }
  // Berry lists patched packages twice (`npm:` and `patch:` resolutions of one version).
  const seen = new Set<string>();
  for (const [entry, name, version] of resolvedEntries) {
    const key = npmKey(name, version);
    const metadata: Record<string, unknown> = { path: file.path };
    if (entry.resolved !== undefined) metadata.resolved = entry.resolved;
    if (entry.integrity !== undefined) metadata.integrity = entry.integrity;
    if (!seen.has(key)) result.packages.push(npmPackage(name, version, metadata));
    seen.add(key);
    for (const [dep, range] of Object.entries(entry.dependencies)) {
      const target = byDescriptor.get(`${dep}@${range}`) ?? byDescriptor.get(`${dep}@npm:${range}`);
      if (target !== undefined) {
        result.relationships.push({
          from: npmKey(name, version),
          to: npmKey(target.name, target.version),
          type: 'depends-on',
        });
      }
    }
  }
  return result;
}
