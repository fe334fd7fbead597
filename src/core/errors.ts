/**
 * Coded errors. Every error Portcullis raises on purpose is a PortcullisError with a stable
 * `code`, so callers (CLI exit codes, HTTP status mapping, tests) branch on codes, never on text.
 */
export type ErrorCode =
  | 'INVALID_REFERENCE'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED_SOURCE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SCHEMA1_MANIFEST'
  | 'MANIFEST_INVALID'
  | 'PLATFORM_NOT_FOUND'
  | 'DIGEST_MISMATCH'
  | 'SIZE_LIMIT'
  | 'CORRUPT_ARCHIVE'
  | 'CORRUPT_LAYER'
  | 'CORRUPT_DATABASE'
  | 'UNSAFE_PATH'
  | 'SYMLINK_LOOP'
  | 'NOT_FOUND'
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_DENIED'
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_RATE_LIMITED'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_PROTOCOL'
  | 'REGISTRY_TLS'
  | 'TIMEOUT'
  | 'DOCKER_DAEMON'
  | 'CONFIG_INVALID'
  | 'POLICY_INVALID'
  | 'VEX_INVALID'
  | 'IGNORE_FILE_INVALID'
  | 'INVALID_VERSION'
  | 'INVALID_RANGE'
  | 'INVALID_CPE'
  | 'FEED_CORRUPT'
  | 'FEED_FETCH'
  /** Another process holds the embedded database. */
  | 'DATABASE_LOCKED'
  | 'IO'
  | 'ABORTED'
  | 'NO_VULNERABILITY_DATA';

export class PortcullisError extends Error {
  readonly code: ErrorCode;
  /** Structured facts about the failure (image, layer, path, url, status ...). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PortcullisError';
    this.code = code;
    this.details = Object.freeze({ ...(options?.details ?? {}) });
  }
}

export function isPortcullisError(err: unknown, code?: ErrorCode): err is PortcullisError {
  return err instanceof PortcullisError && (code === undefined || err.code === code);
}

/** Human-readable message for any thrown value, including the cause chain. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  let cause: unknown = err.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (!parts[parts.length - 1]?.includes(cause.message)) parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(': ');
}
