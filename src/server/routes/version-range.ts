/**
 * A version range in a query (`>=1.2.0,<2`; `=1.0`, `!=1.1`), compared in each package type's
 * own version scheme. A version the scheme cannot order never matches.
 */
import { compareByPackageType } from '../../core/versioning/by-package-type.js';
import { ApiError } from '../errors.js';

type Op = '>=' | '>' | '<=' | '<' | '=' | '!=';

const HOLDS: Record<Op, (c: number) => boolean> = {
  '>=': (c) => c >= 0,
  '>': (c) => c > 0,
  '<=': (c) => c <= 0,
  '<': (c) => c < 0,
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
};

export function parseVersionRange(text: string): (type: string, version: string) => boolean {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(>=|<=|!=|>|<|==?)\s*(\S+)$/.exec(part);
      if (!m) throw new ApiError(400, `version_range: cannot read "${part}" (use e.g. >=1.2,<2.0)`);
      const op = (m[1] === '==' ? '=' : m[1]) as Op;
      return { op, bound: m[2] as string };
    });
  if (parts.length === 0) throw new ApiError(400, 'version_range is empty');
  return (type, version) =>
    parts.every(({ op, bound }) => {
      const c = compareByPackageType(type, version, bound);
      return c !== undefined && HOLDS[op](c);
    });
}
