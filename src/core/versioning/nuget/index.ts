/**
 * NuGet package versions as NuGet.Versioning's NuGetVersion parses and VersionComparer.Default
 * orders them (learn.microsoft.com "NuGet package version reference"):
 *
 * - one to four numeric parts, `Major[.Minor[.Patch[.Revision]]]`, a missing part is 0, so
 *   `1`, `1.0`, `1.0.0` and `1.0.0.0` are one version; leading zeros do not count (`1.01` is
 *   `1.1`); each part fits in a signed 32-bit integer, as System.Version requires;
 * - an optional pre-release after the first `-`: dot-separated labels of `[0-9A-Za-z-]`,
 *   numeric labels without leading zeros; labels compare per SemVer 2 (numbers numerically and
 *   below text, text case-insensitively, a shorter list first), and a pre-release sorts below
 *   its release;
 * - optional build metadata after `+`, validated and ignored by the order;
 * - surrounding whitespace is trimmed (.NET's Char.IsWhiteSpace set); there is no `v` prefix.
 */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

export interface NuGetVersion {
  /** Major, minor, patch, revision. */
  parts: [bigint, bigint, bigint, bigint];
  labels: string[];
  metadata?: string;
}

// .NET's Char.IsWhiteSpace: Unicode space separators, line/paragraph separators, \t–\r, U+0085.
const DOTNET_SPACE = '\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SURROUNDING_SPACE = new RegExp(`^[${DOTNET_SPACE}]+|[${DOTNET_SPACE}]+$`, 'g');
// int.TryParse with NumberStyles.Integer (System.Version's parts) allows ASCII blanks around digits.
const NUMBER_PART = /^[\t-\r ]*([0-9]+)[\t-\r ]*$/;
const LABEL = /^[0-9A-Za-z-]+$/;
const INT32_MAX = 2n ** 31n - 1n;

/** NuGetVersion.TryParse, or undefined. */
export function parseNuGet(input: string): NuGetVersion | undefined {
  if (input.length > MAX_VERSION_LENGTH) return undefined;
  const text = input.replace(SURROUNDING_SPACE, '');
  // ParseSections: the version ends at the first "-" or "+", labels end at the next "+".
  const m = /^([^+-]*)(?:-([^+]*))?(?:\+(.*))?$/s.exec(text);
  if (m === null) return undefined;
  const [, core = '', prerelease, metadata] = m;
  const numbers = core.split('.');
  if (numbers.length > 4) return undefined;
  const parts: bigint[] = [];
  for (const n of numbers) {
    const digits = NUMBER_PART.exec(n)?.[1];
    if (digits === undefined || BigInt(digits) > INT32_MAX) return undefined;
    parts.push(BigInt(digits));
  }
  while (parts.length < 4) parts.push(0n);
  const labels = prerelease === undefined ? [] : prerelease.split('.');
  if (!labels.every((l) => LABEL.test(l) && !/^0[0-9]+$/.test(l))) return undefined;
  if (metadata !== undefined && !metadata.split('.').every((p) => LABEL.test(p))) return undefined;
  return { parts: parts as NuGetVersion['parts'], labels, ...(metadata === undefined ? {} : { metadata }) };
}

function parsed(version: string): NuGetVersion {
  const out = parseNuGet(version);
  if (out === undefined) {
    throw invalidVersion(
      'nuget',
      version,
      'not a NuGet version (1 to 4 numbers, optional -prerelease.labels and +metadata)',
    );
  }
  return out;
}

const INT32_LABEL = /^-?[0-9]+$/;

/** int.TryParse on a label: digits (a leading "-" allowed) within the Int32 range. */
function labelNumber(label: string): bigint | undefined {
  if (!INT32_LABEL.test(label)) return undefined;
  const value = BigInt(label);
  return value > INT32_MAX || value < -INT32_MAX - 1n ? undefined : value;
}

/** VersionComparer.CompareRelease: numbers numerically and first, text OrdinalIgnoreCase. */
function compareLabel(a: string, b: string): number {
  const x = labelNumber(a);
  const y = labelNumber(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined || y !== undefined) return x !== undefined ? -1 : 1;
  const ua = a.toUpperCase();
  const ub = b.toUpperCase();
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

export function compareNuGet(a: string, b: string): number {
  const x = parsed(a);
  const y = parsed(b);
  for (let i = 0; i < 4; i++) {
    const l = x.parts[i] as bigint;
    const r = y.parts[i] as bigint;
    if (l !== r) return l < r ? -1 : 1;
  }
  // A release sorts above any of its pre-releases.
  if (x.labels.length === 0 || y.labels.length === 0) {
    return x.labels.length === y.labels.length ? 0 : x.labels.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(x.labels.length, y.labels.length); i++) {
    const l = x.labels[i];
    const r = y.labels[i];
    if (l === undefined || r === undefined) return l === undefined ? -1 : 1;
    const order = compareLabel(l, r);
    if (order !== 0) return order;
  }
  return 0;
}

export const nuget: VersionScheme = {
  id: 'nuget',
  isValid: (version) => parseNuGet(version) !== undefined,
  compare: compareNuGet,
};
