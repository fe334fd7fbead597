/** Maven artifact versions (ComparableVersion order) with Maven's bracket ranges. */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';
import { compareItems, parseMaven } from './comparable-version.js';
import { inRestrictions, parseMavenRange } from './range.js';

// ComparableVersion accepts any string; we accept what a POM version can reasonably hold.
const VALID = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function isValid(version: string): boolean {
  return version.length <= MAX_VERSION_LENGTH && VALID.test(version);
}

export function compareMaven(a: string, b: string): number {
  for (const v of [a, b]) {
    if (!isValid(v))
      throw invalidVersion('maven', v, 'must start with a letter or digit and use only [A-Za-z0-9._+-]');
  }
  return compareItems(parseMaven(a), parseMaven(b));
}

export const maven: VersionScheme = {
  id: 'maven',
  isValid,
  compare: compareMaven,
  satisfies(version, range) {
    if (!isValid(version)) compareMaven(version, version);
    return inRestrictions(version, parseMavenRange(range, isValid, compareMaven), compareMaven);
  },
};
