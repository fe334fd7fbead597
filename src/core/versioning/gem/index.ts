/**
 * RubyGems versions (Gem::Version) and requirements (Gem::Requirement). A version is split
 * into runs of digits and letters; a "-" means ".pre."; any letter makes it a pre-release,
 * which sorts before the release; trailing zeros do not count. `~> 2.2.3` means
 * `>= 2.2.3, < 2.3`. Surrounding blanks are ignored and a blank version means 0, as in
 * Gem::Version.new.
 */
import { invalidRange, invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

type Segment = bigint | string;

const PATTERN = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
// Ruby's \s: the ASCII blanks Gem::Version's anchored pattern allows around a version.
const RUBY_BLANKS = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

/** Gem::Version.new's text: surrounding blanks stripped, and a blank version is "0". */
function cleaned(version: string): string | undefined {
  if (version.length > MAX_VERSION_LENGTH) return undefined;
  const text = version.replace(RUBY_BLANKS, '');
  if (text === '') return '0';
  return PATTERN.test(text) ? text : undefined;
}

function isValid(version: string): boolean {
  return cleaned(version) !== undefined;
}

export function segments(version: string): Segment[] {
  const clean = cleaned(version);
  if (clean === undefined)
    throw invalidVersion('gem', version, 'not a Gem::Version (digits, dots, letters, "-")');
  const text = clean.replace(/-/g, '.pre.');
  return (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^[0-9]/.test(s) ? BigInt(s) : s));
}

function dropTrailingZeros(list: Segment[]): Segment[] {
  const out = [...list];
  while (out.length > 0 && out[out.length - 1] === 0n) out.pop();
  return out;
}

/** Gem::Version#canonical_segments: trailing zeros dropped from the numeric and the string part. */
function canonical(version: string): Segment[] {
  const all = segments(version);
  const firstString = all.findIndex((s) => typeof s === 'string');
  const cut = firstString === -1 ? all.length : firstString;
  return [...dropTrailingZeros(all.slice(0, cut)), ...dropTrailingZeros(all.slice(cut))];
}

export function compareGem(a: string, b: string): number {
  const x = canonical(a);
  const y = canonical(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i] ?? 0n;
    const r = y[i] ?? 0n;
    if (l === r) continue;
    if (typeof l !== typeof r) return typeof l === 'string' ? -1 : 1;
    return l < r ? -1 : 1;
  }
  return 0;
}

const isPrerelease = (version: string): boolean => /[a-zA-Z]/.test(version);

/** Segments up to (not including) the first letter: Gem::Version#release. */
function releaseOf(version: string): string {
  if (!isPrerelease(version)) return version;
  const all = segments(version);
  const firstString = all.findIndex((s) => typeof s === 'string');
  return all.slice(0, firstString).join('.');
}

/** Gem::Version#bump: drop pre-release parts and the last segment, then increment. */
function bump(version: string): string {
  const all = segments(version);
  const firstString = all.findIndex((s) => typeof s === 'string');
  const numeric = (firstString === -1 ? all : all.slice(0, firstString)) as bigint[];
  if (numeric.length > 1) numeric.pop();
  numeric[numeric.length - 1] = (numeric[numeric.length - 1] ?? 0n) + 1n;
  return numeric.join('.');
}

const OPERATORS: Record<string, (v: string, r: string) => boolean> = {
  '=': (v, r) => compareGem(v, r) === 0,
  '!=': (v, r) => compareGem(v, r) !== 0,
  '>': (v, r) => compareGem(v, r) > 0,
  '<': (v, r) => compareGem(v, r) < 0,
  '>=': (v, r) => compareGem(v, r) >= 0,
  '<=': (v, r) => compareGem(v, r) <= 0,
  '~>': (v, r) => compareGem(v, r) >= 0 && compareGem(releaseOf(v), bump(r)) < 0,
};

const REQUIREMENT = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/;

/** Gem::Requirement: comma-separated requirements, all of which must hold. */
export function satisfiesGem(version: string, range: string): boolean {
  segments(version);
  if (range.length > 4096) throw invalidRange('gem', range, 'longer than 4096 characters');
  const parts = range.split(',').map((part) => {
    const m = REQUIREMENT.exec(part);
    if (m === null || !isValid(m[2] as string)) {
      throw invalidRange('gem', range, `${JSON.stringify(part.trim())} is not a gem requirement`);
    }
    return { op: m[1] ?? '=', version: m[2] as string };
  });
  return parts.every(({ op, version: r }) =>
    (OPERATORS[op] as (v: string, r: string) => boolean)(version, r),
  );
}

export const gem: VersionScheme = {
  id: 'gem',
  isValid,
  compare: compareGem,
  satisfies: satisfiesGem,
};
