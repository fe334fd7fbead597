/**
 * Go module versions: semantic versions with a mandatory "v" (golang.org/x/mod/semver), where
 * `vMAJOR` and `vMAJOR.MINOR` are shorthands for `.0`, build metadata such as `+incompatible`
 * is ignored for ordering, and pseudo-versions are ordinary pre-releases whose 14-digit UTC
 * timestamp makes them sort by commit time. OSV writes Go versions without the "v", so a
 * missing "v" is accepted and implied.
 */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

export interface GoVersion {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string;
}

const NUM = '(0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const FULL = new RegExp(
  `^v?${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?)?)?$`,
);

// golang.org/x/mod/module pseudo.go: vX.0.0-yyyymmddhhmmss-rev, vX.Y.Z-pre.0.yyyymmddhhmmss-rev,
// vX.Y.(Z+1)-0.yyyymmddhhmmss-rev.
const PSEUDO =
  /^v?[0-9]+\.(?:0\.0-|\d+\.\d+-(?:[^+]*\.)?0\.)(\d{14})-([A-Za-z0-9]+)(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function match(text: string): RegExpExecArray | null {
  return text.length <= MAX_VERSION_LENGTH ? FULL.exec(text) : null;
}

export function parseGo(text: string): GoVersion {
  const m = match(text);
  if (m === null)
    throw invalidVersion('go', text, 'not a Go module version vMAJOR[.MINOR[.PATCH[-pre][+build]]]');
  return {
    major: m[1] as string,
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] ?? '',
  };
}

export function isPseudoVersion(text: string): boolean {
  return match(text) !== null && PSEUDO.test(text);
}

/** The commit time of a pseudo-version as `yyyymmddhhmmss`, or undefined for a tagged version. */
export function pseudoVersionTime(text: string): string | undefined {
  return isPseudoVersion(text) ? PSEUDO.exec(text)?.[1] : undefined;
}

/** `+incompatible` marks a v2+ module that has no go.mod; it does not change the ordering. */
export function isIncompatible(text: string): boolean {
  return match(text) !== null && text.endsWith('+incompatible');
}

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function comparePrerelease(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xNum = /^[0-9]+$/.test(x);
    const yNum = /^[0-9]+$/.test(y);
    if (xNum && yNum) return compareNumbers(x, y);
    if (xNum !== yNum) return xNum ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareGo(a: string, b: string): number {
  const x = parseGo(a);
  const y = parseGo(b);
  return (
    compareNumbers(x.major, y.major) ||
    compareNumbers(x.minor, y.minor) ||
    compareNumbers(x.patch, y.patch) ||
    comparePrerelease(x.prerelease, y.prerelease)
  );
}

export const go: VersionScheme = {
  id: 'go',
  isValid: (version) => match(version) !== null,
  compare: compareGo,
};
