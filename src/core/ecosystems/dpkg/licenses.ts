/**
 * Licence names in Debian copyright files → SPDX ids. DEP-5 short names follow the SPDX ids
 * except for case, "+" for "or later", bare major versions ("GPL-2") and "Expat" for MIT.
 * Names that do not map are kept as written: a wrong SPDX id is worse than none.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';

const SPDX_IDS: ReadonlyMap<string, string> = new Map(
  z
    .array(z.string())
    .parse(createRequire(import.meta.url)('spdx-license-ids'))
    .map((id) => [id.toLowerCase(), id]),
);

/** DEP-5 names whose SPDX id differs by more than case. */
const DEP5_ALIASES: ReadonlyMap<string, string> = new Map([
  ['expat', 'MIT'],
  ['artistic', 'Artistic-1.0'],
  ['zope-2.1', 'ZPL-2.1'],
  ['python-cnri', 'CNRI-Python'],
  ['apache-2', 'Apache-2.0'],
  ['mpl-2', 'MPL-2.0'],
  ['cc0', 'CC0-1.0'],
]);

/** GNU families, which SPDX splits into -only and -or-later. */
const GNU = /^(A?GPL|LGPL|GFDL)-?(\d)(?:\.(\d))?(\+)?$/i;

export function toSpdx(name: string): string | undefined {
  const trimmed = name.trim();
  const lower = trimmed.toLowerCase();
  const gnu = GNU.exec(trimmed);
  if (gnu) {
    const family = (gnu[1] as string).toUpperCase();
    const id = `${family}-${gnu[2]}.${gnu[3] ?? '0'}-${gnu[4] ? 'or-later' : 'only'}`;
    return SPDX_IDS.get(id.toLowerCase());
  }
  const alias = DEP5_ALIASES.get(lower);
  if (alias) return alias;
  // Plain SPDX ids, also with DEP-5's lower-case "clause" (BSD-3-clause).
  const direct = SPDX_IDS.get(lower);
  if (direct) return direct;
  if (lower.endsWith('+')) {
    const orLater = SPDX_IDS.get(`${lower.slice(0, -1)}-or-later`) ?? SPDX_IDS.get(`${lower.slice(0, -1)}+`);
    if (orLater) return orLater;
  }
  return undefined;
}

/**
 * Splits a DEP-5 `License:` short-name expression ("GPL-2+ or Artistic", "MIT and BSD-3-clause",
 * "GPL-2+ with OpenSSL exception") into licence names, each mapped to SPDX where possible.
 * An exception clause stays attached to its licence as written, since SPDX exception ids do
 * not line up with Debian's free-text exception names.
 */
export function licensesFromExpression(expression: string): string[] {
  const out: string[] = [];
  for (const part of expression.split(/\s*,\s*|\s+(?:or|and)\s+/i)) {
    const name = part.replace(/^\(+|\)+$/g, '').trim();
    if (name === '') continue;
    out.push(/\swith\s/i.test(name) ? name : (toSpdx(name) ?? name));
  }
  return out;
}
