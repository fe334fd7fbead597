/**
 * PHP's version_compare(), which Composer uses on normalized versions: separators and
 * digit/letter transitions become dots; numbers compare as C longs (saturating at 2^63-1, as
 * strtol does); words rank dev < alpha = a < beta = b < RC = rc < number < pl = p, matched by
 * prefix, with any other word below dev.
 */
const LONG_MAX = 2n ** 63n - 1n;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => /[A-Za-z0-9]/.test(c);

function canonicalize(version: string): string {
  let out = version[0] ?? '';
  for (let i = 1; i < version.length; i++) {
    const c = version[i] as string;
    const prev = version[i - 1] as string;
    const lastOut = out[out.length - 1];
    const dig = (x: string): boolean => isDigit(x);
    const ndig = (x: string): boolean => !isDigit(x) && x !== '.';
    if (c === '-' || c === '_' || c === '+') {
      if (lastOut !== '.') out += '.';
    } else if ((ndig(prev) && dig(c)) || (dig(prev) && ndig(c))) {
      if (lastOut !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (lastOut !== '.') out += '.';
    } else {
      out += c;
    }
  }
  return out;
}

const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function formOrder(form: string): number {
  return SPECIAL_FORMS.find(([name]) => form.startsWith(name))?.[1] ?? -1;
}

const sign = (n: number | bigint): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** strtol: leading digits, saturated. */
function strtol(text: string): bigint {
  const digits = /^[0-9]+/.exec(text)?.[0] ?? '0';
  const value = BigInt(digits);
  return value > LONG_MAX ? LONG_MAX : value;
}

function compareSegment(a: string, b: string): number {
  if (isDigit(a[0]) && isDigit(b[0])) return sign(strtol(a) - strtol(b));
  if (!isDigit(a[0]) && !isDigit(b[0])) return sign(formOrder(a) - formOrder(b));
  return isDigit(a[0]) ? sign(formOrder('#N#') - formOrder(b)) : sign(formOrder(a) - formOrder('#N#'));
}

export function phpVersionCompare(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a !== '' ? 1 : -1;
  const x = (a.startsWith('#') ? a : canonicalize(a)).split('.');
  const y = (b.startsWith('#') ? b : canonicalize(b)).split('.');
  let i = 0;
  // PHP walks both lists while neither is exhausted and the current elements are non-empty.
  while (i < x.length && i < y.length && x[i] !== '' && y[i] !== '') {
    const c = compareSegment(x[i] as string, y[i] as string);
    if (c !== 0) return c;
    i++;
    if (i >= x.length || i >= y.length) break;
  }
  // Like PHP, look at the first list that still has elements, even if the other does too
  // (which happens only when an empty element stopped the walk).
  if (i < x.length) {
    const rest = x.slice(i).join('.');
    return isDigit(rest[0]) ? 1 : phpVersionCompare(rest, '#N#');
  }
  if (i < y.length) {
    const rest = y.slice(i).join('.');
    return isDigit(rest[0]) ? -1 : phpVersionCompare('#N#', rest);
  }
  return 0;
}
