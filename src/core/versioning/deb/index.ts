/**
 * Debian package versions, Debian Policy 5.6.12: `[epoch:]upstream_version[-debian_revision]`.
 * Comparison is dpkg's: non-digit runs compare character by character where `~` sorts before
 * everything (even the end of the string) and letters sort before other characters; digit runs
 * compare as integers (of any length).
 */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

export interface DebVersion {
  epoch: bigint;
  upstream: string;
  revision: string;
}

const EPOCH = /^[0-9]+$/;
const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

/**
 * Parsed versions by text: matching compares one installed version against many range
 * boundaries, and the same boundaries recur across the binaries of a source package. Bounded:
 * cleared when full, so a long-running process never grows it without limit.
 */
const PARSED = new Map<string, DebVersion>();
const PARSED_MAX = 50_000;

function parseCached(version: string): DebVersion {
  let parsed = PARSED.get(version);
  if (parsed === undefined) {
    parsed = parseDeb(version);
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    PARSED.set(version, parsed);
  }
  return parsed;
}

export function parseDeb(version: string): DebVersion {
  const reason = problem(version);
  if (reason !== undefined) throw invalidVersion('deb', version, reason);
  const text = version;
  const colon = text.indexOf(':');
  const epoch = colon === -1 ? 0n : BigInt(text.slice(0, colon));
  const rest = text.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  return dash === -1
    ? { epoch, upstream: rest, revision: '' }
    : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

/** Mirrors dpkg's parseversion() checks, which also reject what dpkg would only warn about. */
function problem(version: string): string | undefined {
  if (version.length > MAX_VERSION_LENGTH) return `longer than ${MAX_VERSION_LENGTH} characters`;
  const text = version;
  if (text === '') return 'empty';
  if (/\s/.test(text)) return 'contains whitespace';
  const colon = text.indexOf(':');
  if (colon !== -1) {
    const epoch = text.slice(0, colon);
    if (!EPOCH.test(epoch)) return 'epoch is not a number';
    // dpkg stores the epoch in an int.
    if (BigInt(epoch) > 2147483647n) return 'epoch is too big';
  }
  const rest = text.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  const upstream = dash === -1 ? rest : rest.slice(0, dash);
  if (upstream === '') return 'empty upstream version';
  if (!UPSTREAM.test(upstream))
    return 'upstream version must start with a digit and use only [A-Za-z0-9.+~:-]';
  if (dash !== -1 && !REVISION.test(rest.slice(dash + 1))) return 'revision must be non-empty [A-Za-z0-9.+~]';
  return undefined;
}

function order(c: string | undefined): number {
  // The end of the string and a digit (the start of the next numeric run) weigh the same.
  if (c === undefined || isDigit(c)) return 0;
  if (c === '~') return -1;
  const code = c.charCodeAt(0);
  // Letters (A-Z, a-z) sort before every other character.
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code;
  return code + 256;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** dpkg's verrevcmp. */
export function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const diff = order(a[i]) - order(b[j]);
      if (diff !== 0) return diff;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

export function compareDeb(a: string, b: string): number {
  const x = parseCached(a);
  const y = parseCached(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return compareFragment(x.upstream, y.upstream) || compareFragment(x.revision, y.revision);
}

export const deb: VersionScheme = {
  id: 'deb',
  isValid: (version) => problem(version) === undefined,
  compare: compareDeb,
};
