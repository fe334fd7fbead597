/**
 * Alpine (apk) package versions: `digits{.digits}[letter]{_suffix[digits]}[-rN]`, where the
 * pre-release suffixes _alpha < _beta < _pre < _rc sort below the plain version and the post
 * suffixes _cvs < _svn < _git < _hg < _p above it. Ordering follows apk-tools' token walk:
 * numbers compare numerically, except that a component after a dot with leading zeros compares
 * by its count of extra zeros first (so 1.001 < 1.01 < 1.1), and when one version runs out the longer one is
 * newer unless what follows is a pre-release suffix.
 */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

const VALID = /^[0-9]+(?:\.[0-9]+)*[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(?:-r[0-9]+)?$/;

// Token types in apk-tools' order; a token may only be followed by a later type, with the
// exceptions handled in nextType.
const DIGIT_OR_ZERO = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const REVISION_NO = 5;
const END = 6;

const PRE = ['alpha', 'beta', 'pre', 'rc'];
const POST = ['cvs', 'svn', 'git', 'hg', 'p'];

interface Token {
  type: number;
  value: bigint;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function readValue(s: string, start: number, type: number): { value: bigint; end: number; next?: number } {
  let i = start;
  if (type === DIGIT_OR_ZERO && s[i] === '0') {
    // Current apk-tools counts the zeros beyond the first and leaves the last one to be read as
    // a number (older releases consumed all of them, which put 1.0_rc1 above 1.0).
    while (s[i + 1] === '0') i++;
    return { value: -BigInt(i - start), end: i, next: DIGIT };
  }
  if (type === LETTER) return { value: BigInt(s.charCodeAt(i)), end: i + 1 };
  if (type === SUFFIX) {
    const pre = PRE.findIndex((name) => s.startsWith(name, i));
    if (pre !== -1) return { value: BigInt(pre - PRE.length), end: i + (PRE[pre] as string).length };
    const post = POST.findIndex((name) => s.startsWith(name, i));
    return { value: BigInt(post), end: i + (POST[post] as string).length };
  }
  while (isDigit(s[i])) i++;
  return { value: i === start ? 0n : BigInt(s.slice(start, i)), end: i };
}

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let type = DIGIT;
  let pos = 0;
  while (pos < s.length) {
    const { value, end, next } = readValue(s, pos, type);
    tokens.push({ type, value });
    pos = end;
    if (pos >= s.length) break;
    if (next !== undefined) {
      type = next;
      continue;
    }
    const c = s[pos] as string;
    if ((type === DIGIT || type === DIGIT_OR_ZERO) && /[a-z]/.test(c)) type = LETTER;
    else if (type === LETTER && isDigit(c)) type = DIGIT;
    else if (type === SUFFIX && isDigit(c)) type = SUFFIX_NO;
    else {
      type = c === '.' ? DIGIT_OR_ZERO : c === '_' ? SUFFIX : REVISION_NO;
      pos += c === '-' ? 2 : 1;
    }
  }
  return tokens;
}

function check(version: string): string {
  if (version.length > MAX_VERSION_LENGTH || !VALID.test(version)) {
    throw invalidVersion('apk', version, 'not digits{.digits}[letter]{_suffix[N]}[-rN]');
  }
  return version;
}

export function compareApk(a: string, b: string): number {
  const x = tokenize(check(a));
  const y = tokenize(check(b));
  let i = 0;
  let j = 0;
  let at = DIGIT;
  let bt = DIGIT;
  let av = 0n;
  let bv = 0n;
  while (at === bt && at !== END && av === bv) {
    av = (x[i++] as Token).value;
    at = x[i]?.type ?? END;
    bv = (y[j++] as Token).value;
    bt = y[j]?.type ?? END;
  }
  if (av !== bv) return av < bv ? -1 : 1;
  if (at === bt) return 0;
  // Equal so far: the longer version is newer, unless it continues with a pre-release suffix.
  if (at === SUFFIX && (x[i] as Token).value < 0n) return -1;
  if (bt === SUFFIX && (y[j] as Token).value < 0n) return 1;
  return at > bt ? -1 : at < bt ? 1 : 0;
}

export const apk: VersionScheme = {
  id: 'apk',
  isValid: (version) => version.length <= MAX_VERSION_LENGTH && VALID.test(version),
  compare: compareApk,
};
