import { PortcullisError } from '../errors.js';
import type { SchemeId } from './types.js';

/** The one error every scheme raises for a version it cannot parse. */
export function invalidVersion(scheme: SchemeId, version: string, reason: string): PortcullisError {
  return new PortcullisError(
    'INVALID_VERSION',
    `${scheme} version ${JSON.stringify(truncate(version))} is invalid: ${reason}`,
    { details: { scheme, version: truncate(version) } },
  );
}

export function invalidRange(scheme: SchemeId, range: string, reason: string): PortcullisError {
  return new PortcullisError(
    'INVALID_RANGE',
    `${scheme} range ${JSON.stringify(truncate(range))} is invalid: ${reason}`,
    { details: { scheme, range: truncate(range) } },
  );
}

/** Error messages must stay readable even when the input is a megabyte of garbage. */
function truncate(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

/** Upper bound on accepted version length: real versions are short, garbage can be huge. */
export const MAX_VERSION_LENGTH = 256;
