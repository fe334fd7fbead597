import { z } from 'zod';
import type { FileInput, ParseContext, ParseResult } from '../types.js';
import {
  decodeText,
  emptyResult,
  isValidNpmName,
  nameFromNodeModulesPath,
  npmKey,
  npmLicenses,
  npmPackage,
  parseJson,
} from './common.js';

const depMap = z.record(z.string(), z.unknown()).optional().catch(undefined);

/** lockfileVersion 2/3: the `packages` map keyed by install path. */
const packageEntry = z.looseObject({
  name: z.string().optional().catch(undefined),
  version: z.string().optional().catch(undefined),
  resolved: z.string().optional().catch(undefined),
  integrity: z.string().optional().catch(undefined),
  link: z.boolean().optional().catch(undefined),
  dev: z.boolean().optional().catch(undefined),
  optional: z.boolean().optional().catch(undefined),
  license: z.unknown().optional(),
  dependencies: depMap,
  optionalDependencies: depMap,
});

/** lockfileVersion 1: a `dependencies` tree; nested maps hold non-hoisted copies. */
interface V1Entry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  bundled?: boolean;
  requires?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
}
// Not recursive on purpose: the walker descends level by level with a depth limit.
const v1Entry: z.ZodType<V1Entry> = z.looseObject({
  version: z.string().optional().catch(undefined),
  resolved: z.string().optional().catch(undefined),
  integrity: z.string().optional().catch(undefined),
  dev: z.boolean().optional().catch(undefined),
  optional: z.boolean().optional().catch(undefined),
  bundled: z.boolean().optional().catch(undefined),
  requires: depMap,
  dependencies: depMap,
});

const lockSchema = z.looseObject({
  lockfileVersion: z.number().optional().catch(undefined),
  packages: z.record(z.string(), z.unknown()).optional().catch(undefined),
  dependencies: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

/** Guards against lockfiles nested absurdly deep (stack depth) — npm never nests beyond a few dozen. */
const MAX_V1_DEPTH = 200;

function parentInstallPath(path: string): string {
  const idx = path.lastIndexOf('/node_modules/');
  return idx < 0 ? '' : path.slice(0, idx);
}

function parseV2(packages: Record<string, unknown>, path: string, result: ParseResult): void {
  const versions = new Map<string, { name: string; version: string }>();
  const entries: [string, z.infer<typeof packageEntry>][] = [];
  for (const [installPath, raw] of Object.entries(packages)) {
    // "" is the project itself; non-node_modules keys are workspace sources, listed via their links.
    if (installPath === '' || !installPath.includes('node_modules/')) continue;
    const parsed = packageEntry.safeParse(raw);
    if (!parsed.success) {
      result.problems.push(`${path}: packages["${installPath}"] is not an object`);
      continue;
    }
    const entry = parsed.data;
    if (entry.link === true) continue; // a symlink to a workspace folder, not an installed copy
    const name = entry.name ?? nameFromNodeModulesPath(installPath);
    if (name === undefined || !isValidNpmName(name) || entry.version === undefined) {
      result.problems.push(`${path}: packages["${installPath}"] has no valid name/version`);
      continue;
    }
    versions.set(installPath, { name, version: entry.version });
    entries.push([installPath, entry]);
  }
  for (const [installPath, entry] of entries) {
    const self = versions.get(installPath);
    if (self === undefined) continue;
    const metadata: Record<string, unknown> = { path, installPath };
    if (entry.resolved !== undefined) metadata.resolved = entry.resolved;
    if (entry.integrity !== undefined) metadata.integrity = entry.integrity;
    if (entry.dev === true) metadata.dev = true;
    if (entry.optional === true) metadata.optional = true;
    result.packages.push(npmPackage(self.name, self.version, metadata, npmLicenses(entry.license)));
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      // Node resolution inside the lockfile: nearest node_modules/<dep> going up the install path.
      for (let base = installPath; ; base = parentInstallPath(base)) {
        const target = versions.get(`${base === '' ? '' : `${base}/`}node_modules/${dep}`);
        if (target !== undefined) {
          result.relationships.push({
            from: npmKey(self.name, self.version),
            to: npmKey(target.name, target.version),
            type: 'depends-on',
          });
          break;
        }
        if (base === '') break;
      }
    }
  }
}

function parseV1(root: Record<string, unknown>, path: string, result: ParseResult): void {
  const parseLevel = (tree: Record<string, unknown>): Record<string, V1Entry> => {
    const level: Record<string, V1Entry> = {};
    for (const [name, raw] of Object.entries(tree)) {
      const parsed = v1Entry.safeParse(raw);
      if (parsed.success) level[name] = parsed.data;
      else result.problems.push(`${path}: dependencies["${name}"] is not an object`);
    }
    return level;
  };
  const walk = (level: Record<string, V1Entry>, scopes: Record<string, V1Entry>[], depth: number): void => {
    if (depth > MAX_V1_DEPTH) {
      result.problems.push(`${path}: dependencies nested deeper than ${MAX_V1_DEPTH}`);
      return;
    }
    const chain = [level, ...scopes];
    for (const [key, entry] of Object.entries(level)) {
      // Aliases (`"alias": {"version": "npm:real@1.0.0"}`) install `real` under another folder.
      const alias = /^npm:(.+)@([^@]+)$/.exec(entry.version ?? '');
      const name = alias?.[1] ?? key;
      const version = alias?.[2] ?? entry.version;
      // `file:`/`link:` versions point at local folders, not installed registry packages.
      if (version === undefined || !isValidNpmName(name) || /^(file|link):/.test(version)) {
        result.problems.push(`${path}: dependencies["${key}"] has no installable version`);
        continue;
      }
      const metadata: Record<string, unknown> = { path };
      if (entry.resolved !== undefined) metadata.resolved = entry.resolved;
      if (entry.integrity !== undefined) metadata.integrity = entry.integrity;
      if (entry.dev === true) metadata.dev = true;
      if (entry.optional === true) metadata.optional = true;
      result.packages.push(npmPackage(name, version, metadata));
      const ownScope = parseLevel(entry.dependencies ?? {});
      for (const dep of Object.keys(entry.requires ?? {})) {
        const target = [ownScope, ...chain].find((scope) => scope[dep]?.version !== undefined)?.[dep]
          ?.version;
        const targetAlias = /^npm:(.+)@([^@]+)$/.exec(target ?? '');
        if (target !== undefined) {
          const to = npmKey(targetAlias?.[1] ?? dep, targetAlias?.[2] ?? target);
          result.relationships.push({ from: npmKey(name, version), to, type: 'depends-on' });
        }
      }
      if (entry.dependencies !== undefined) walk(ownScope, chain, depth + 1);
    }
  };
  walk(parseLevel(root), [], 0);
}

/** package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 and 3. */
export async function parsePackageLock(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result = emptyResult();
  // Lockfiles shipped inside installed packages describe their authors' dev trees, not this install.
  if (file.path.includes('/node_modules/')) return result;
  const json = parseJson(decodeText(file.contents));
  if (!json.ok) {
    result.problems.push(`${file.path}: invalid JSON: ${json.error}`);
    return result;
  }
  const parsed = lockSchema.safeParse(json.value);
  if (!parsed.success) {
    result.problems.push(`${file.path}: not a package-lock object`);
    return result;
  }
  const lock = parsed.data;
  // v2 carries both forms; `packages` is the authoritative one.
  if (lock.packages !== undefined) parseV2(lock.packages, file.path, result);
  else if (lock.dependencies !== undefined) parseV1(lock.dependencies, file.path, result);
  else result.problems.push(`${file.path}: neither "packages" nor "dependencies" present`);
  return result;
}
