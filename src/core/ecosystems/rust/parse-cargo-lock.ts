import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { cargoKey, cargoPurl } from './common.js';

const lockSchema = z.looseObject({
  version: z.number().optional().catch(undefined),
  package: z
    .array(
      z.looseObject({
        name: z.string(),
        version: z.string(),
        source: z.string().optional(),
        checksum: z.string().optional(),
        dependencies: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** Cargo.lock v1–v4: `[[package]]` tables; dependencies are `name`, `name version` or `name version (source)`. */
export async function parseCargoLock(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  let doc: unknown;
  try {
    doc = parseToml(file.contents.toString('utf8'));
  } catch (err) {
    result.problems.push(`${file.path}: invalid TOML: ${(err as Error).message.split('\n')[0]}`);
    return result;
  }
  const parsed = lockSchema.safeParse(doc);
  if (!parsed.success) {
    result.problems.push(
      `${file.path}: not a Cargo.lock: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
    );
    return result;
  }
  const packages = parsed.data.package ?? [];
  const byName = new Map<string, string[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p.version]);
  for (const p of packages) {
    const metadata: Record<string, unknown> = { path: file.path };
    // No source means a workspace member or path dependency: the project's own code.
    if (p.source !== undefined) metadata.source = p.source;
    else metadata.local = true;
    if (p.checksum !== undefined) metadata.checksum = p.checksum;
    try {
      result.packages.push({
        name: p.name,
        version: p.version,
        type: 'rust',
        purl: cargoPurl(p.name, p.version),
        licenses: [],
        metadata,
      });
    } catch (err) {
      result.problems.push(`${file.path}: ${p.name}@${p.version}: ${(err as Error).message}`);
      continue;
    }
    for (const dep of p.dependencies ?? []) {
      const [name = '', version] = dep.split(' ');
      // A bare name is only written when exactly one version of that crate is locked.
      const target = version ?? (byName.get(name)?.length === 1 ? byName.get(name)?.[0] : undefined);
      if (target !== undefined)
        result.relationships.push({
          from: cargoKey(p.name, p.version),
          to: cargoKey(name, target),
          type: 'depends-on',
        });
    }
  }
  return result;
}
