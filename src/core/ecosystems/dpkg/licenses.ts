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

/** SPDX exception ids by lower case, from the SPDX list as the spdx-exceptions package ships it. */
const SPDX_EXCEPTIONS: ReadonlyMap<string, string> = new Map(
  z
    .array(z.string())
    .parse(createRequire(import.meta.url)('spdx-exceptions'))
    .map((id) => [id.toLowerCase(), id]),
);

/**
 * Debian exception phrases (lower case, without the trailing "exception") whose SPDX id is not
 * the phrase itself: SPDX puts a version in the id that Debian leaves out or words differently.
 * Only phrases whose text we checked in real copyright files are here.
 */
const DEP5_EXCEPTION_ALIASES: ReadonlyMap<string, string> = new Map([
  ['bison', 'Bison-exception-2.2'],
  ['bison-2.2', 'Bison-exception-2.2'],
  ['font', 'Font-exception-2.0'],
  ['gcc-runtime-3.1', 'GCC-exception-3.1'],
  ['classpath', 'Classpath-exception-2.0'],
]);

/**
 * Exceptions whose wording changed when the files moved to GPL-3: under GPL-2 a bare "Bison
 * exception" may be the 1.24 text, and "Texinfo exception" lacks the GPL-3 section 7 sentence
 * of SPDX's Texinfo-exception. Only the GPL-3 forms name one SPDX exception.
 */
const GPL3_ONLY: ReadonlySet<string> = new Set(['bison', 'texinfo']);

/** "<licence> with <exception>", spaced or as one hyphenated DEP-5 short name. */
const WITH_CLAUSE = /^(\S.*?)(?:\s+|-)with(?:\s+|-)(\S.*)$/i;

function exceptionId(phrase: string, license: string): string | undefined {
  const key = phrase
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/-exception$/, '');
  if (GPL3_ONLY.has(key) && !license.startsWith('GPL-3.0')) return undefined;
  return (
    DEP5_EXCEPTION_ALIASES.get(key) ?? SPDX_EXCEPTIONS.get(`${key}-exception`) ?? SPDX_EXCEPTIONS.get(key)
  );
}

/**
 * A DEP-5 "<licence> with <exception>" name as an SPDX `<id> WITH <exception-id>` expression,
 * when both the licence and the exception have SPDX ids (Annex D); undefined otherwise, since
 * a wrong exception id is worse than the text as written.
 */
export function withExceptionToSpdx(name: string): string | undefined {
  const m = WITH_CLAUSE.exec(name.trim());
  if (!m) return undefined;
  const license = toSpdx(m[1] as string);
  if (!license) return undefined;
  const exception = exceptionId(m[2] as string, license);
  return exception ? `${license} WITH ${exception}` : undefined;
}

/**
 * Splits a DEP-5 `License:` short-name expression ("GPL-2+ or Artistic", "MIT and BSD-3-clause",
 * "GPL-2+ with Libtool exception") into licence names, each mapped to SPDX where possible.
 * An exception clause becomes an SPDX `WITH` expression when its exception has an SPDX id and
 * otherwise stays attached to its licence as written ("GPL-2+ with OpenSSL exception").
 */
export function licensesFromExpression(expression: string): string[] {
  const out: string[] = [];
  for (const part of expression.split(/\s*,\s*|\s+(?:or|and)\s+/i)) {
    const name = part.replace(/^\(+|\)+$/g, '').trim();
    if (name === '') continue;
    const withException = withExceptionToSpdx(name);
    if (withException) out.push(withException);
    else out.push(/\swith\s/i.test(name) ? name : (toSpdx(name) ?? name));
  }
  return out;
}
