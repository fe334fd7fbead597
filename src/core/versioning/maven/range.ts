/**
 * Maven version ranges (POM reference, "Dependency Version Requirement Specification"):
 * `[1.0,2.0)`, `(,1.0]`, `[1.0]`, `[1.5,)`, and unions `(,1.0],[1.2,)`. A bare version is taken
 * as an exact match: Maven reads it as a soft preference that matches everything, which would
 * make every advisory match.
 */
import { invalidRange } from '../invalid.js';

interface Restriction {
  lower?: string;
  lowerInclusive: boolean;
  upper?: string;
  upperInclusive: boolean;
}

export function parseMavenRange(
  range: string,
  isValid: (v: string) => boolean,
  compare: (a: string, b: string) => number,
): Restriction[] {
  if (range.length > 4096) throw invalidRange('maven', range, 'longer than 4096 characters');
  const text = range.replace(/\s+/g, '');
  if (!/^[[(]/.test(text)) {
    if (!isValid(text)) throw invalidRange('maven', range, 'neither a range nor a version');
    return [{ lower: text, lowerInclusive: true, upper: text, upperInclusive: true }];
  }
  const restrictions: Restriction[] = [];
  const pattern = /([[(])([^\])]*)([\])])(?:,|$)/y;
  let m: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (m = pattern.exec(text)) !== null) {
    restrictions.push(restriction(range, m[1] === '[', m[2] as string, m[3] === ']', isValid, compare));
  }
  if (pattern.lastIndex !== text.length || restrictions.length === 0) {
    throw invalidRange('maven', range, 'unbalanced brackets or stray text between ranges');
  }
  // Like Maven, a union must list its ranges in order without overlap.
  for (let i = 1; i < restrictions.length; i++) {
    const previousUpper = (restrictions[i - 1] as Restriction).upper;
    const lower = (restrictions[i] as Restriction).lower;
    if (previousUpper !== undefined && (lower === undefined || compare(lower, previousUpper) < 0)) {
      throw invalidRange('maven', range, 'ranges overlap');
    }
  }
  return restrictions;
}

function restriction(
  range: string,
  lowerInclusive: boolean,
  body: string,
  upperInclusive: boolean,
  isValid: (v: string) => boolean,
  compare: (a: string, b: string) => number,
): Restriction {
  const parts = body.split(',');
  const check = (v: string): string => {
    if (!isValid(v)) throw invalidRange('maven', range, `bound ${JSON.stringify(v)} is not a version`);
    return v;
  };
  if (parts.length === 1) {
    if (!lowerInclusive || !upperInclusive)
      throw invalidRange('maven', range, 'a single version must use [ ]');
    const v = check(parts[0] as string);
    return { lower: v, lowerInclusive, upper: v, upperInclusive };
  }
  if (parts.length !== 2) throw invalidRange('maven', range, `"${body}" has more than two bounds`);
  const lower = parts[0] === '' ? undefined : check(parts[0] as string);
  const upper = parts[1] === '' ? undefined : check(parts[1] as string);
  if (lower !== undefined && upper !== undefined) {
    // Equal bounds make sense only as [v,v]; anything else is an empty range Maven rejects.
    const order = compare(lower, upper);
    if (order > 0 || (order === 0 && !(lowerInclusive && upperInclusive))) {
      throw invalidRange('maven', range, 'lower bound above upper bound, or an empty range');
    }
  }
  return { lower, lowerInclusive, upper, upperInclusive };
}

export function inRestrictions(
  version: string,
  restrictions: Restriction[],
  compare: (a: string, b: string) => number,
): boolean {
  return restrictions.some((r) => {
    if (r.lower !== undefined) {
      const c = compare(version, r.lower);
      if (c < 0 || (c === 0 && !r.lowerInclusive)) return false;
    }
    if (r.upper !== undefined) {
      const c = compare(version, r.upper);
      if (c > 0 || (c === 0 && !r.upperInclusive)) return false;
    }
    return true;
  });
}
