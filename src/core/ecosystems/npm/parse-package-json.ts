import { posix } from 'node:path';
import { z } from 'zod';
import type { FileInput, FileResolver, ParseContext, ParseResult } from '../types.js';
import {
  decodeText,
  emptyResult,
  isValidNpmName,
  npmKey,
  npmLicenses,
  npmPackage,
  parseJson,
} from './common.js';

/** Directories that act like `node_modules`: Debian installs modules straight into these. */
const MODULE_ROOTS = ['/usr/share/nodejs', '/usr/lib/nodejs'];
/** Debian's architecture-specific modules (compiled addons) live under the multiarch triplet. */
const ARCH_MODULE_ROOT = /^\/usr\/lib\/[a-z0-9_]+-[a-z0-9_-]+\/nodejs$/;

function moduleRootOf(dir: string): string | undefined {
  const parts = dir.split('/');
  for (let n = 3; n <= Math.min(parts.length, 5); n++) {
    const candidate = parts.slice(0, n).join('/');
    if (MODULE_ROOTS.includes(candidate) || ARCH_MODULE_ROOT.test(candidate)) return candidate;
  }
  return undefined;
}
/** Bounds resolver reads for hostile manifests with thousands of dependencies. */
const MAX_RESOLVED_DEPS = 500;

const depsSchema = z.record(z.string(), z.unknown()).optional().catch(undefined);
const manifestSchema = z.looseObject({
  name: z.string().optional().catch(undefined),
  version: z.string().optional().catch(undefined),
  license: z.unknown().optional(),
  licenses: z.unknown().optional(),
  description: z.string().optional().catch(undefined),
  homepage: z.string().optional().catch(undefined),
  private: z.boolean().optional().catch(undefined),
  dependencies: depsSchema,
  optionalDependencies: depsSchema,
  devDependencies: depsSchema,
});
type Manifest = z.infer<typeof manifestSchema>;

/**
 * Where a package.json sits: inside a module root (`…/node_modules/<name>` or a Debian module
 * directory), somewhere deeper inside an installed package (not a package root: `lib/package.json`
 * files that only set `type`, test fixtures), or outside any of these (an application's own).
 */
export function classifyPackageJson(path: string): 'module' | 'inner' | 'app' {
  const dir = posix.dirname(path);
  const parent = posix.dirname(dir);
  const scopedParent = posix.basename(parent).startsWith('@') ? posix.dirname(parent) : parent;
  if (posix.basename(scopedParent) === 'node_modules' || moduleRootOf(scopedParent) === scopedParent)
    return 'module';
  if (dir.includes('/node_modules/') || moduleRootOf(dir) !== undefined) return 'inner';
  return 'app';
}

/** Node's lookup order for `require(name)` from a package directory, as package.json paths. */
function resolutionCandidates(dir: string, name: string): string[] {
  const out: string[] = [];
  for (let current = dir; ; current = posix.dirname(current)) {
    if (posix.basename(current) !== 'node_modules')
      out.push(posix.join(current, 'node_modules', name, 'package.json'));
    if (current === '/') break;
  }
  for (const root of MODULE_ROOTS) out.push(posix.join(root, name, 'package.json'));
  return out;
}

async function resolveVersion(
  resolver: FileResolver,
  dir: string,
  name: string,
): Promise<string | undefined> {
  for (const candidate of resolutionCandidates(dir, name)) {
    const contents = await resolver.read(candidate);
    if (contents === undefined) continue;
    const json = parseJson(decodeText(contents));
    const parsed = json.ok ? manifestSchema.safeParse(json.value) : undefined;
    return parsed?.success ? parsed.data.version : undefined;
  }
  return undefined;
}

async function addDependencies(
  result: ParseResult,
  context: ParseContext,
  dir: string,
  from: string,
  deps: Record<string, unknown> | undefined,
  type: 'depends-on' | 'dev-depends-on',
): Promise<void> {
  const names = Object.keys(deps ?? {}).filter(isValidNpmName);
  if (names.length > MAX_RESOLVED_DEPS)
    result.problems.push(`${names.length} dependencies; resolved the first ${MAX_RESOLVED_DEPS}`);
  for (const name of names.slice(0, MAX_RESOLVED_DEPS)) {
    const version = await resolveVersion(context.resolver, dir, name);
    if (version !== undefined) result.relationships.push({ from, to: npmKey(name, version), type });
  }
}

function stringRecord(deps: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(deps ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** One installed module's (or the application's own) package.json. */
export async function parsePackageJson(file: FileInput, context: ParseContext): Promise<ParseResult> {
  const result = emptyResult();
  const kind = classifyPackageJson(file.path);
  if (kind === 'inner') return result;
  const json = parseJson(decodeText(file.contents));
  if (!json.ok) {
    result.problems.push(`${file.path}: invalid JSON: ${json.error}`);
    return result;
  }
  const parsed = manifestSchema.safeParse(json.value);
  if (!parsed.success) {
    result.problems.push(`${file.path}: not a package.json object`);
    return result;
  }
  const manifest: Manifest = parsed.data;
  const { name } = manifest;
  const version = manifest.version ?? '';
  if (name === undefined || !isValidNpmName(name) || (kind === 'module' && version === '')) {
    // Manifests without name/version are not packages npm would list (e.g. `{"type":"module"}`).
    if (kind === 'module')
      result.problems.push(`${file.path}: package.json without a valid name and version`);
    return result;
  }
  const metadata: Record<string, unknown> = {
    path: file.path,
    dependencies: stringRecord(manifest.dependencies),
  };
  if (manifest.description !== undefined) metadata.description = manifest.description;
  if (manifest.homepage !== undefined) metadata.homepage = manifest.homepage;
  if (manifest.private === true) metadata.private = true;
  if (kind === 'app') metadata.isRoot = true;
  const pkg = npmPackage(name, version, metadata, npmLicenses(manifest.license, manifest.licenses));
  // An application's manifest declares it; it is installed only when its modules are (dedupe.ts).
  result.packages.push(kind === 'app' ? { ...pkg, declaredOnly: true } : pkg);

  const dir = posix.dirname(file.path);
  const from = npmKey(name, version);
  await addDependencies(
    result,
    context,
    dir,
    from,
    { ...manifest.dependencies, ...manifest.optionalDependencies },
    'depends-on',
  );
  if (kind === 'app')
    await addDependencies(result, context, dir, from, manifest.devDependencies, 'dev-depends-on');
  return result;
}
