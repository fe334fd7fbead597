/**
 * npm's flavour of Semantic Versioning 2.0.0, delegated to the `semver` package that npm itself
 * uses, so ranges (`^`, `~`, `x`, hyphen ranges, `||`) mean exactly what they mean to npm.
 */
import semverLib from 'semver';
import { invalidRange, invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

/**
 * Parsed versions by text: one installed version meets many range boundaries, and every
 * comparison used to parse both sides twice (validity check, then compare). A parsed SemVer is
 * never mutated here, so sharing it changes no answer. Bounded: cleared when full.
 */
const PARSED = new Map<string, semverLib.SemVer | null>();
const PARSED_MAX = 50_000;

function parsed(version: string): semverLib.SemVer | null {
  let result = PARSED.get(version);
  if (result === undefined) {
    // semver.parse trims surrounding whitespace and accepts a leading "v"/"=", and so do we.
    result = version.length <= MAX_VERSION_LENGTH ? semverLib.parse(version) : null;
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    PARSED.set(version, result);
  }
  return result;
}

function isValid(version: string): boolean {
  return parsed(version) !== null;
}

function check(version: string): semverLib.SemVer {
  const result = parsed(version);
  if (result === null) throw invalidVersion('semver', version, 'not MAJOR.MINOR.PATCH[-prerelease][+build]');
  return result;
}

export const semver: VersionScheme = {
  id: 'semver',
  isValid,
  compare: (a, b) => check(a).compare(check(b)),
  satisfies(version, range) {
    check(version);
    if (range.length > 4096 || semverLib.validRange(range) === null) {
      throw invalidRange('semver', range, 'not an npm semver range');
    }
    return semverLib.satisfies(version, range);
  },
};
