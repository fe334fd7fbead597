/**
 * PEP 440 versions: parsing, normalisation and the ordering key of the "Summary of permitted
 * suffixes and relative ordering" section (dev < pre < final < post, local versions above their
 * public version, numeric local segments above alphanumeric ones).
 */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';

export interface Pep440Version {
  epoch: bigint;
  release: bigint[];
  pre?: { label: 'a' | 'b' | 'rc'; number: bigint };
  post?: bigint;
  dev?: bigint;
  local?: string[];
}

export const VERSION_BODY =
  'v?(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)' +
  '([-_.]?(alpha|beta|preview|pre|a|b|c|rc)[-_.]?([0-9]+)?)?' +
  '((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?' +
  '([-_.]?(dev)[-_.]?([0-9]+)?)?';
const LOCAL = '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?';
const VERSION = new RegExp(`^${VERSION_BODY}${LOCAL}$`, 'i');
// Python's \s on str, which packaging's version pattern allows around a version: not the same
// set as JavaScript's \s (it has U+001C–U+001F and U+0085, and lacks U+FEFF).
const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SURROUNDING_SPACE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const ONE_SPACE = new RegExp(`[${PY_SPACE}]`);

/** Strips Python whitespace; the common case (none at either end) costs two character tests. */
function stripPySpace(text: string): string {
  const padded = ONE_SPACE.test(text.charAt(0)) || ONE_SPACE.test(text.charAt(text.length - 1));
  return padded ? text.replace(SURROUNDING_SPACE, '') : text;
}

const PRE_LABELS: Record<string, 'a' | 'b' | 'rc'> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

/**
 * Matching compares one installed version against hundreds of advisory versions (PyPI records
 * list every affected release), so parses are memoized; the cache is bounded and simply
 * cleared when full. Parsed versions are never mutated.
 */
const PARSE_CACHE = new Map<string, Pep440Version | undefined>();
const PARSE_CACHE_LIMIT = 50_000;

export function tryParsePep440(text: string): Pep440Version | undefined {
  if (PARSE_CACHE.has(text)) return PARSE_CACHE.get(text);
  const parsed = parseUncached(text);
  if (PARSE_CACHE.size >= PARSE_CACHE_LIMIT) PARSE_CACHE.clear();
  PARSE_CACHE.set(text, parsed);
  return parsed;
}

function parseUncached(text: string): Pep440Version | undefined {
  if (text.length > MAX_VERSION_LENGTH) return undefined;
  const m = VERSION.exec(stripPySpace(text));
  if (m === null) return undefined;
  const num = (s: string | undefined): bigint => BigInt(s ?? '0');
  const version: Pep440Version = {
    epoch: num(m[1]),
    release: (m[2] as string).split('.').map((p) => BigInt(p)),
  };
  if (m[4] !== undefined) version.pre = { label: PRE_LABELS[m[4].toLowerCase()] ?? 'rc', number: num(m[5]) };
  if (m[6] !== undefined) version.post = num(m[7] ?? m[9]);
  if (m[10] !== undefined) version.dev = num(m[12]);
  if (m[13] !== undefined) version.local = m[13].toLowerCase().split(/[-_.]/);
  return version;
}

export function parsePep440(text: string): Pep440Version {
  const parsed = tryParsePep440(text);
  if (parsed === undefined) throw invalidVersion('pep440', text, 'not a PEP 440 version');
  return parsed;
}

export function isPrerelease(v: Pep440Version): boolean {
  return v.pre !== undefined || v.dev !== undefined;
}

/** The canonical string, as `str(packaging.version.Version(...))` prints it. */
export function normalize(v: Pep440Version): string {
  let out = v.epoch !== 0n ? `${v.epoch}!` : '';
  out += v.release.join('.');
  if (v.pre) out += `${v.pre.label}${v.pre.number}`;
  if (v.post !== undefined) out += `.post${v.post}`;
  if (v.dev !== undefined) out += `.dev${v.dev}`;
  if (v.local) out += `+${v.local.join('.')}`;
  return out;
}

export function publicPart(v: Pep440Version): Pep440Version {
  const { local: _local, ...rest } = v;
  return rest;
}

export function baseVersion(v: Pep440Version): Pep440Version {
  return { epoch: v.epoch, release: v.release };
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function compareRelease(a: bigint[], b: bigint[]): number {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = cmp(a[i] ?? 0n, b[i] ?? 0n);
    if (c !== 0) return c;
  }
  return 0;
}

/** Rank of the pre-release slot: a dev-only release sorts before its pre-releases. */
function preKey(v: Pep440Version): [number, string, bigint] {
  if (v.pre) return [1, v.pre.label, v.pre.number];
  if (v.post === undefined && v.dev !== undefined) return [0, '', 0n];
  return [2, '', 0n];
}

function compareLocal(a: string[] | undefined, b: string[] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xNum = /^[0-9]+$/.test(x);
    const yNum = /^[0-9]+$/.test(y);
    if (xNum !== yNum) return xNum ? 1 : -1;
    const c = xNum ? cmp(BigInt(x), BigInt(y)) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** No dev segment sorts above every dev segment. */
function compareDev(a: bigint | undefined, b: bigint | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return cmp(a, b);
}

export function compareParsed(a: Pep440Version, b: Pep440Version): number {
  const [ar, al, an] = preKey(a);
  const [br, bl, bn] = preKey(b);
  return (
    cmp(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    ar - br ||
    (al < bl ? -1 : al > bl ? 1 : 0) ||
    cmp(an, bn) ||
    cmp(a.post ?? -1n, b.post ?? -1n) ||
    compareDev(a.dev, b.dev) ||
    compareLocal(a.local, b.local)
  );
}
