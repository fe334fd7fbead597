/** Maven artifact versions (ComparableVersion order) with Maven's bracket ranges. */
import { invalidVersion, MAX_VERSION_LENGTH } from '../invalid.js';
import type { VersionScheme } from '../types.js';
import { compareItems, parseMaven } from './comparable-version.js';
import { inRestrictions, parseMavenRange } from './range.js';

// ComparableVersion orders any string: Debian's `3.0.0~a3+dfsg`, a leading "-" or "_", letters
// of any script, blanks. We refuse only what no version holds: control and format characters,
// text without a single letter or digit, and digits outside ASCII (Java's Character.isDigit
// takes them as numbers, and no real version uses them; see docs/adr/0003-version-schemes.md).
const REFUSED = /[\p{C}]|[^\P{Nd}0-9]/u;
const HAS_LETTER_OR_DIGIT = /[\p{L}0-9]/u;

function isValid(version: string): boolean {
  return version.length <= MAX_VERSION_LENGTH && !REFUSED.test(version) && HAS_LETTER_OR_DIGIT.test(version);
}

export function compareMaven(a: string, b: string): number {
  for (const v of [a, b]) {
    if (!isValid(v))
      throw invalidVersion('maven', v, 'needs a letter or an ASCII digit and no control characters');
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
