import { PackageURL } from 'packageurl-js';
import { z } from 'zod';
import type { FileInput, ParseContext, ParseResult } from '../types.js';

const packageSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  license: z.array(z.string()).optional().catch(undefined),
  type: z.string().optional().catch(undefined),
  require: z.record(z.string(), z.string()).optional().catch(undefined),
  source: z
    .looseObject({ url: z.string().optional(), reference: z.string().optional() })
    .optional()
    .catch(undefined),
  dist: z
    .looseObject({ url: z.string().optional(), shasum: z.string().optional() })
    .optional()
    .catch(undefined),
});
type ComposerPackage = z.infer<typeof packageSchema>;

export const composerKey = (name: string, version: string): string => `php/${name}@${version}`;

/** `vendor/name` → PURL with the vendor as namespace (purl-spec composer type). */
export function composerPurl(name: string, version: string): string {
  const [vendor, short] = name.split('/');
  return new PackageURL(
    'composer',
    short === undefined ? undefined : vendor,
    short ?? name,
    version,
    undefined,
    undefined,
  ).toString();
}

function readList(raw: unknown, path: string, where: string, result: ParseResult): ComposerPackage[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    result.problems.push(`${path}: "${where}" is not an array`);
    return [];
  }
  const out: ComposerPackage[] = [];
  raw.forEach((item, i) => {
    const p = packageSchema.safeParse(item);
    if (p.success) out.push(p.data);
    else result.problems.push(`${path}: ${where}[${i}] has no name/version`);
  });
  return out;
}

function emit(result: ParseResult, path: string, groups: { list: ComposerPackage[]; dev: boolean }[]): void {
  const versions = new Map<string, string>();
  for (const { list } of groups) for (const p of list) versions.set(p.name.toLowerCase(), p.version);
  for (const { list, dev } of groups) {
    for (const p of list) {
      const metadata: Record<string, unknown> = { path };
      if (dev) metadata.dev = true;
      if (p.type !== undefined) metadata.packageType = p.type;
      if (p.source?.reference !== undefined) metadata.sourceReference = p.source.reference;
      if (p.dist?.url !== undefined) metadata.distUrl = p.dist.url;
      try {
        result.packages.push({
          name: p.name,
          version: p.version,
          type: 'php',
          purl: composerPurl(p.name, p.version),
          licenses: p.license ?? [],
          metadata,
        });
      } catch (err) {
        result.problems.push(`${path}: ${p.name}@${p.version}: ${(err as Error).message}`);
        continue;
      }
      // `php`, `ext-*` and `lib-*` requirements are platform packages, never in the lock's lists.
      for (const dep of Object.keys(p.require ?? {})) {
        const version = versions.get(dep.toLowerCase());
        if (version !== undefined)
          result.relationships.push({
            from: composerKey(p.name, p.version),
            to: composerKey(dep, version),
            type: dev ? 'dev-depends-on' : 'depends-on',
          });
      }
    }
  }
}

function readJson(file: FileInput, result: ParseResult): unknown {
  try {
    return JSON.parse(file.contents.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    result.problems.push(`${file.path}: invalid JSON: ${(err as Error).message}`);
    return undefined;
  }
}

/** composer.lock: `packages` and `packages-dev`. */
export async function parseComposerLock(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  const json = readJson(file, result);
  if (json === undefined) return result;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    result.problems.push(`${file.path}: not a composer.lock object`);
    return result;
  }
  const lock = json as Record<string, unknown>;
  emit(result, file.path, [
    { list: readList(lock.packages, file.path, 'packages', result), dev: false },
    { list: readList(lock['packages-dev'], file.path, 'packages-dev', result), dev: true },
  ]);
  return result;
}

/** vendor/composer/installed.json: Composer 1 wrote an array, Composer 2 `{packages, dev-package-names}`. */
export async function parseInstalledJson(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  const json = readJson(file, result);
  if (json === undefined) return result;
  if (Array.isArray(json)) {
    emit(result, file.path, [{ list: readList(json, file.path, 'root', result), dev: false }]);
    return result;
  }
  if (json === null || typeof json !== 'object' || !('packages' in json)) {
    result.problems.push(`${file.path}: neither an array nor an object with "packages"`);
    return result;
  }
  const doc = json as Record<string, unknown>;
  const all = readList(doc.packages, file.path, 'packages', result);
  const devNames = new Set(
    Array.isArray(doc['dev-package-names'])
      ? doc['dev-package-names'].filter((n): n is string => typeof n === 'string')
      : [],
  );
  emit(result, file.path, [
    { list: all.filter((p) => !devNames.has(p.name)), dev: false },
    { list: all.filter((p) => devNames.has(p.name)), dev: true },
  ]);
  return result;
}
