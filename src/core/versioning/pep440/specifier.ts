/**
 * PEP 440 version specifiers ("Version specifiers" section): `~=`, `==` (with `.*` prefix
 * matching and local-version rules), `!=`, `<=`, `>=`, `<`, `>` (which exclude pre-/post-
 * releases and local versions of the bound itself) and `===`. A specifier set is the
 * comma-separated conjunction; pre-releases match only when a specifier names one.
 */
import { invalidRange } from '../invalid.js';
import type { Pep440Version } from './version.js';
import {
  baseVersion,
  compareParsed,
  isPrerelease,
  normalize,
  parsePep440,
  publicPart,
  tryParsePep440,
  VERSION_BODY,
} from './version.js';

type Operator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

interface Specifier {
  operator: Operator;
  version: string;
}

const LOCAL = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const RELEASE_ONLY = 'v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*';
// VERSION_BODY's capture groups are irrelevant here; only the named groups are read.
const SPEC = new RegExp(
  '^\\s*(?:' +
    '(?<arbOp>===)\\s*(?<arb>[^\\s;)]*)' +
    `|(?<eqOp>==|!=)\\s*(?<eq>${RELEASE_ONLY}\\.\\*|${VERSION_BODY}${LOCAL})` +
    `|(?<compatOp>~=)\\s*(?<compat>${VERSION_BODY})` +
    `|(?<cmpOp><=|>=|<|>)\\s*(?<cmp>${VERSION_BODY})` +
    ')\\s*$',
  'i',
);

function parseSpecifier(text: string, whole: string): Specifier {
  const g = SPEC.exec(text)?.groups;
  const operator = (g?.arbOp ?? g?.eqOp ?? g?.compatOp ?? g?.cmpOp) as Operator | undefined;
  const version = g?.arb ?? g?.eq ?? g?.compat ?? g?.cmp;
  if (operator === undefined || version === undefined) {
    throw invalidRange('pep440', whole, `${JSON.stringify(text.trim())} is not a PEP 440 specifier`);
  }
  // `~=` needs at least two release segments (PEP 440, "Compatible release").
  if (operator === '~=' && !/^v?(?:[0-9]+!)?[0-9]+\.[0-9]+/i.test(version)) {
    throw invalidRange('pep440', whole, '~= needs at least two release segments');
  }
  return { operator, version };
}

export function parseSpecifierSet(range: string): Specifier[] {
  if (range.length > 4096) throw invalidRange('pep440', range, 'longer than 4096 characters');
  return range
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => parseSpecifier(part, range));
}

/** Splits at dots, and `1a1` into `1`, `a1`, so release and pre-release segments line up. */
function split(version: string): string[] {
  return version.split('.').flatMap((item) => {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    return m ? [m[1] as string, m[2] as string] : [item];
  });
}

const isDigits = (s: string): boolean => /^[0-9]+$/.test(s);

/** Canonical form; trailing `.0` release segments dropped unless asked to keep them. */
function canonical(text: string, keepTrailingZeros: boolean): string {
  const parsed = tryParsePep440(text);
  if (parsed === undefined) return text;
  if (keepTrailingZeros) return normalize(publicPart(parsed));
  const release = [...parsed.release];
  while (release.length > 1 && release[release.length - 1] === 0n) release.pop();
  return normalize(publicPart({ ...parsed, release }));
}

/** `==X.*`: the spec's segments are a prefix of the version's, after zero-padding the release. */
function prefixMatch(prospective: Pep440Version, prefix: string): boolean {
  const spec = split(canonical(prefix, true));
  const mine = split(canonical(normalize(publicPart(prospective)), false));
  const releaseLength = (parts: string[]): number => {
    const i = parts.findIndex((p) => !isDigits(p));
    return i === -1 ? parts.length : i;
  };
  const mineRelease = releaseLength(mine);
  const padding = Math.max(0, releaseLength(spec) - mineRelease);
  const padded = [
    ...mine.slice(0, mineRelease),
    ...Array<string>(padding).fill('0'),
    ...mine.slice(mineRelease),
  ];
  return spec.every((part, i) => padded[i] === part);
}

function equals(prospective: Pep440Version, spec: string): boolean {
  if (spec.endsWith('.*')) return prefixMatch(prospective, spec.slice(0, -2));
  const target = parsePep440(spec);
  // A specifier without a local label matches every local build of that version.
  return compareParsed(target.local ? prospective : publicPart(prospective), target) === 0;
}

const sameBase = (a: Pep440Version, b: Pep440Version): boolean =>
  compareParsed(baseVersion(a), baseVersion(b)) === 0;

const isSuffix = (segment: string): boolean =>
  ['dev', 'a', 'b', 'rc', 'post'].some((p) => segment.startsWith(p));

function matches(v: Pep440Version, { operator, version }: Specifier): boolean {
  switch (operator) {
    case '===':
      return normalize(v).toLowerCase() === version.toLowerCase();
    case '==':
      return equals(v, version);
    case '!=':
      return !equals(v, version);
    case '<=':
      return compareParsed(publicPart(v), parsePep440(version)) <= 0;
    case '>=':
      return compareParsed(publicPart(v), parsePep440(version)) >= 0;
    case '<': {
      // <3.1 must not admit 3.1.dev0 unless the bound is itself a pre-release.
      const spec = parsePep440(version);
      if (compareParsed(v, spec) >= 0) return false;
      return !(!isPrerelease(spec) && isPrerelease(v) && sameBase(v, spec));
    }
    case '>': {
      // >3.1 must not admit 3.1.post1 or 3.1+local.
      const spec = parsePep440(version);
      if (compareParsed(v, spec) <= 0) return false;
      if (spec.post === undefined && v.post !== undefined && sameBase(v, spec)) return false;
      return !(v.local !== undefined && sameBase(v, spec));
    }
    case '~=': {
      // ~=2.2.3 is >=2.2.3, ==2.2.*: drop suffixes, then the last release segment.
      const segments = split(version);
      const firstSuffix = segments.findIndex(isSuffix);
      const release = firstSuffix === -1 ? segments : segments.slice(0, firstSuffix);
      const prefix = release.slice(0, -1).join('.');
      return compareParsed(publicPart(v), parsePep440(version)) >= 0 && prefixMatch(v, prefix);
    }
  }
}

function namesPrerelease({ operator, version }: Specifier): boolean {
  if (!['==', '>=', '<=', '~=', '==='].includes(operator)) return false;
  const parsed = tryParsePep440(operator === '==' && version.endsWith('.*') ? version.slice(0, -2) : version);
  return parsed !== undefined && isPrerelease(parsed);
}

/** `packaging.specifiers.SpecifierSet(range).contains(version)`. */
export function satisfiesPep440(version: string, range: string): boolean {
  const v = parsePep440(version);
  const specs = parseSpecifierSet(range);
  if (isPrerelease(v) && !specs.some(namesPrerelease)) return false;
  return specs.every((s) => matches(v, s));
}
