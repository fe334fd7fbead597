/**
 * Licence names as packages write them ("Apache 2.0", "The MIT License", "Apache License,
 * Version 2.0", "ruby") → SPDX ids, only where the name says exactly one listed licence: the
 * id itself in any case, the id with spaces for hyphens, or the SPDX list's full name. Names
 * that leave the licence or its version open ("BSD License", "GPL") stay as written: a wrong
 * SPDX id is worse than none.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { canonicalLicenseId } from './formats/spdx-licenses.js';

const require = createRequire(import.meta.url);

/** The SPDX list's full names (spdx-license-list), lower-cased → id. */
const BY_FULL_NAME: ReadonlyMap<string, string> = new Map(
  Object.entries(
    z.record(z.string(), z.object({ name: z.string() })).parse(require('spdx-license-list/spdx.json')),
  ).map(([id, { name }]) => [name.toLowerCase(), id]),
);

/** "Apache License, Version 2.0" → "apache 2.0": the words that never carry meaning dropped. */
function simplified(name: string): string {
  return name
    .toLowerCase()
    .replace(/[,;]/g, ' ')
    .replace(/\b(?:the|license|licence|version)\b/g, ' ')
    .replace(/\bv(?=\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The SPDX id `name` denotes, or undefined when it is not exactly one listed licence. */
export function spdxIdForLicenseName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  const direct = canonicalLicenseId(trimmed) ?? BY_FULL_NAME.get(trimmed.toLowerCase());
  if (direct) return direct;
  const words = simplified(trimmed);
  // Only names that keep a version number after simplification, or the unversioned ids
  // (MIT, ISC, 0BSD, Unlicense, ...), can name one licence.
  return words === '' ? undefined : canonicalLicenseId(words.replace(/ /g, '-'));
}

/** A declared licence as the model keeps it: the SPDX id it denotes, else as written. */
export function normalizeLicense(declared: string): string {
  return spdxIdForLicenseName(declared) ?? declared.trim();
}
