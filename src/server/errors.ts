/**
 * Every error the API answers is Anchore's body: `{message, httpcode, detail}`. Coded core
 * errors map to a status in one table; anything unmapped is a 500 (a real fault, logged).
 */
import type { ErrorCode } from '../core/errors.js';

export class ApiError extends Error {
  constructor(
    readonly httpcode: number,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface AnchoreErrorBody {
  message: string;
  httpcode: number;
  detail: Record<string, unknown>;
}

export function errorBody(
  httpcode: number,
  message: string,
  detail: Record<string, unknown> = {},
): AnchoreErrorBody {
  return { message, httpcode, detail: { error_codes: [], ...detail } };
}

/** HTTP status for each coded error the request path can raise. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_REFERENCE: 400,
  INVALID_ARGUMENT: 400,
  UNSUPPORTED_SOURCE: 400,
  UNSUPPORTED_MEDIA_TYPE: 400,
  SCHEMA1_MANIFEST: 400,
  MANIFEST_INVALID: 400,
  PLATFORM_NOT_FOUND: 404,
  DIGEST_MISMATCH: 502,
  SIZE_LIMIT: 413,
  CORRUPT_ARCHIVE: 400,
  CORRUPT_LAYER: 400,
  CORRUPT_DATABASE: 500,
  UNSAFE_PATH: 400,
  SYMLINK_LOOP: 400,
  NOT_FOUND: 404,
  REGISTRY_UNAUTHORIZED: 406,
  REGISTRY_DENIED: 406,
  REGISTRY_NOT_FOUND: 404,
  REGISTRY_RATE_LIMITED: 503,
  REGISTRY_ERROR: 502,
  REGISTRY_UNREACHABLE: 502,
  REGISTRY_PROTOCOL: 502,
  REGISTRY_TLS: 502,
  TIMEOUT: 504,
  DOCKER_DAEMON: 400,
  CONFIG_INVALID: 500,
  POLICY_INVALID: 400,
  VEX_INVALID: 400,
  IGNORE_FILE_INVALID: 400,
  INVALID_VERSION: 400,
  INVALID_RANGE: 400,
  INVALID_CPE: 400,
  FEED_CORRUPT: 500,
  FEED_FETCH: 502,
  IO: 500,
  DATABASE_LOCKED: 503,
  ABORTED: 503,
  NO_VULNERABILITY_DATA: 503,
};

export const notFound = (what: string) => new ApiError(404, `${what} not found`);
