import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PortcullisError } from '../errors.js';

const DIGEST_RE = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

/** Validates a digest string; throws MANIFEST_INVALID naming where it came from. */
export function assertDigest(value: string, where: string): string {
  if (!isDigest(value)) {
    throw new PortcullisError('MANIFEST_INVALID', `${where}: "${value}" is not a sha256/sha512 digest`);
  }
  return value;
}

export function digestOf(data: Buffer | string, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Hex part of a digest, safe for use as a file name (validated first). */
export function digestHex(digest: string): string {
  assertDigest(digest, 'digest');
  return digest.slice(digest.indexOf(':') + 1);
}

/**
 * A pass-through stream that hashes what flows through it and fails at the end when the
 * digest (or the expected size) does not match. Bytes are passed on as they come, so a
 * consumer must treat the data as untrusted until the stream ends without error.
 */
export class VerifyingStream extends Transform {
  private readonly hash;
  private bytes = 0;

  constructor(
    private readonly expected: string,
    private readonly what: string,
    private readonly expectedSize?: number,
  ) {
    super();
    assertDigest(expected, what);
    this.hash = createHash(expected.startsWith('sha512:') ? 'sha512' : 'sha256');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      done(
        new PortcullisError(
          'DIGEST_MISMATCH',
          `${this.what}: more than the ${this.expectedSize} bytes announced`,
          {
            details: { expected: this.expected, size: this.expectedSize },
          },
        ),
      );
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const actual = `${this.expected.slice(0, this.expected.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      done(
        new PortcullisError(
          'DIGEST_MISMATCH',
          `${this.what}: digest ${actual} does not match ${this.expected}`,
          {
            details: { expected: this.expected, actual },
          },
        ),
      );
      return;
    }
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      done(
        new PortcullisError(
          'DIGEST_MISMATCH',
          `${this.what}: ${this.bytes} bytes received, ${this.expectedSize} announced`,
          { details: { expected: this.expected, size: this.expectedSize, received: this.bytes } },
        ),
      );
      return;
    }
    done();
  }
}
