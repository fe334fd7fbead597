import { PackageURL } from 'packageurl-js';
import { z } from 'zod';
import type { FileInput, ParseContext, ParseResult } from '../types.js';

const librarySchema = z.looseObject({
  type: z.string().optional().catch(undefined),
  sha512: z.string().optional().catch(undefined),
  path: z.string().optional().catch(undefined),
  serviceable: z.boolean().optional().catch(undefined),
});
const targetEntrySchema = z.looseObject({
  dependencies: z.record(z.string(), z.string()).optional().catch(undefined),
});
const depsSchema = z.looseObject({
  runtimeTarget: z
    .looseObject({ name: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  targets: z.record(z.string(), z.record(z.string(), z.unknown())).optional().catch(undefined),
  libraries: z.record(z.string(), z.unknown()),
});

export const dotnetKey = (name: string, version: string): string => `dotnet/${name}@${version}`;

/** `Newtonsoft.Json/13.0.1` → name and version (names never contain `/`). */
function splitId(id: string): [string, string] | undefined {
  const slash = id.lastIndexOf('/');
  return slash > 0 && slash < id.length - 1 ? [id.slice(0, slash), id.slice(slash + 1)] : undefined;
}

/** `<app>.deps.json`: NuGet packages an app was published with (`libraries` of type package). */
export async function parseDepsJson(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(file.contents.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    result.problems.push(`${file.path}: invalid JSON: ${(err as Error).message}`);
    return result;
  }
  const parsed = depsSchema.safeParse(json);
  if (!parsed.success) {
    result.problems.push(`${file.path}: not a deps.json (no "libraries" object)`);
    return result;
  }
  const { libraries, targets, runtimeTarget } = parsed.data;
  const packageIds = new Set<string>();
  for (const [id, raw] of Object.entries(libraries)) {
    const lib = librarySchema.safeParse(raw);
    const nv = splitId(id);
    if (!lib.success || nv === undefined) {
      result.problems.push(`${file.path}: libraries["${id}"] is malformed`);
      continue;
    }
    // `project` entries are the app and its own projects; `reference` are plain assembly refs.
    if (lib.data.type !== 'package') continue;
    const [name, version] = nv;
    const metadata: Record<string, unknown> = { path: file.path };
    if (lib.data.sha512 !== undefined && lib.data.sha512 !== '') metadata.sha512 = lib.data.sha512;
    if (lib.data.path !== undefined) metadata.packagePath = lib.data.path;
    try {
      const purl = new PackageURL('nuget', undefined, name, version, undefined, undefined).toString();
      result.packages.push({ name, version, type: 'dotnet', purl, licenses: [], metadata });
      packageIds.add(id);
    } catch (err) {
      result.problems.push(`${file.path}: ${id}: ${(err as Error).message}`);
    }
  }
  // Edges come from the runtime target (the one the app runs as); fall back to the first target.
  const targetName = runtimeTarget?.name ?? Object.keys(targets ?? {})[0];
  const target = targetName === undefined ? undefined : targets?.[targetName];
  for (const [id, raw] of Object.entries(target ?? {})) {
    const from = splitId(id);
    const entry = targetEntrySchema.safeParse(raw);
    if (from === undefined || !entry.success || !packageIds.has(id)) continue;
    for (const [dep, version] of Object.entries(entry.data.dependencies ?? {})) {
      if (packageIds.has(`${dep}/${version}`))
        result.relationships.push({
          from: dotnetKey(...from),
          to: dotnetKey(dep, version),
          type: 'depends-on',
        });
    }
  }
  return result;
}
