/**
 * npm's flavour of Semantic Versioning 2.0.0, delegated to the `semver` package that npm itself
 * uses, so ranges (`^`, `~`, `x`, hyphen ranges, `||`) mean exactly what they mean to npm.
 */
import semverLib from 'semver';
import { invalidRange, invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';

function isValid(version: string): boolean {
  // semver.valid trims surrounding whitespace and accepts a leading "v"/"=", and so do we.
  return version.length <= MAX_VERSION_LENGTH && semverLib.valid(version) !== null;
}

function check(version: string): string {
  if (!isValid(version))
    throw invalidVersion('semver', version, 'not MAJOR.MINOR.PATCH[-prerelease][+build]');
  return version;
}

export const semver: VersionScheme = {
  id: 'semver',
  isValid,
  compare: (a, b) => semverLib.compare(check(a), check(b)),
  satisfies(version, range) {
    check(version);
    if (range.length > 4096 || semverLib.validRange(range) === null) {
      throw invalidRange('semver', range, 'not an npm semver range');
    }
    return semverLib.satisfies(version, range);
  },
};
