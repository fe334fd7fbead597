/**
 * RPM versions `[epoch:]version[-release]`, ordered like rpm's rpmvercmp(): separators are
 * skipped, `~` sorts before everything (even the end), `^` after the end but before anything
 * else, digit runs compare as integers of any length and beat letter runs. Missing release
 * sorts below any release, as in rpm.labelCompare. Like rpmvercmp, any string has a place in
 * the order: unexpanded macros (`%{?dist}`) and runs of separators included.
 */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

export interface RpmVersion {
  epoch: string;
  version: string;
  release?: string;
}

// rpmvercmp orders any string; only text a C string or a header cannot carry is refused.
const CONTROL = /\p{Cc}/u;

export function parseRpm(text: string): RpmVersion {
  const reason = problem(text);
  if (reason !== undefined) throw invalidVersion('rpm', text, reason);
  return split(text);
}

/**
 * rpm's parseEVR: an epoch only when the text starts with digits (possibly none) followed by
 * `:`; the release after the last `-`. Anything else, colons included, is version.
 */
function split(text: string): RpmVersion {
  const digits = /^[0-9]*/.exec(text)?.[0].length ?? 0;
  const hasEpoch = text[digits] === ':';
  const epoch = hasEpoch ? text.slice(0, digits) || '0' : '0';
  const rest = hasEpoch ? text.slice(digits + 1) : text;
  const dash = rest.lastIndexOf('-');
  return dash === -1
    ? { epoch, version: rest }
    : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

function problem(text: string): string | undefined {
  if (text.length > MAX_VERSION_LENGTH) return `longer than ${MAX_VERSION_LENGTH} characters`;
  if (text === '') return 'empty';
  if (CONTROL.test(text)) return 'contains a control character';
  // rpm.labelCompare (rpmverNew) refuses an empty version part, as in "-1" or "1:".
  if (split(text).version === '') return 'version part is empty';
  return undefined;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

/** rpm's rpmvercmp on one field. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const same = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (same(a[ei])) ei++;
    while (same(b[ej])) ej++;
    // A numeric segment is newer than an alphabetic one.
    if (ej === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export function compareRpm(a: string, b: string): number {
  const x = parseRpm(a);
  const y = parseRpm(b);
  const byEpoch = rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version);
  if (byEpoch !== 0) return byEpoch;
  if (x.release === undefined || y.release === undefined) {
    return x.release === y.release ? 0 : x.release === undefined ? -1 : 1;
  }
  return rpmvercmp(x.release, y.release);
}

export const rpm: VersionScheme = {
  id: 'rpm',
  isValid: (version) => problem(version) === undefined,
  compare: compareRpm,
};
