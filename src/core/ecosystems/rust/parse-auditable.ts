import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import { isElf, parseElf, sectionData } from '../go/elf.js';
import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { cargoKey, cargoPurl } from './common.js';

/** The audit data of even huge binaries is well under a megabyte; this stops decompression bombs. */
const MAX_INFLATED = 8 * 1024 * 1024;

const auditSchema = z.object({
  packages: z.array(
    z.looseObject({
      name: z.string(),
      version: z.string(),
      source: z.string().optional(),
      kind: z.string().optional(),
      dependencies: z.array(z.number().int().nonnegative()).optional(),
      root: z.boolean().optional(),
    }),
  ),
});

/** cargo-auditable's dependency list: zlib-compressed JSON in the `.dep-v0` ELF section. */
export async function parseCargoAuditable(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  if (!isElf(file.contents)) return result;
  const elf = parseElf(file.contents);
  const section = elf === undefined ? undefined : sectionData(file.contents, elf, '.dep-v0');
  if (section === undefined) return result;
  let json: unknown;
  try {
    json = JSON.parse(inflateSync(section, { maxOutputLength: MAX_INFLATED }).toString('utf8'));
  } catch (err) {
    result.problems.push(`${file.path}: unreadable .dep-v0 section: ${(err as Error).message}`);
    return result;
  }
  const parsed = auditSchema.safeParse(json);
  if (!parsed.success) {
    result.problems.push(`${file.path}: .dep-v0 is not cargo-auditable data`);
    return result;
  }
  const list = parsed.data.packages;
  for (const p of list) {
    const metadata: Record<string, unknown> = { path: file.path };
    if (p.source !== undefined) metadata.source = p.source;
    if (p.kind !== undefined) metadata.kind = p.kind;
    if (p.root === true) metadata.root = true;
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
    for (const index of p.dependencies ?? []) {
      const dep = list[index];
      if (dep === undefined)
        result.problems.push(`${file.path}: ${p.name} depends on missing index ${index}`);
      else
        result.relationships.push({
          from: cargoKey(p.name, p.version),
          to: cargoKey(dep.name, dep.version),
          type: 'depends-on',
        });
    }
  }
  return result;
}
