import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { PortcullisError } from '../errors.js';
import type { Compression } from './media-types.js';
import type { ImageLimits } from './options.js';

/**
 * zstd decompression as a stream. Node 20's zlib has no zstd, so we use fzstd (pure JS,
 * streaming); see docs/adr/0002-layer-decompression.md.
 */
export class ZstdStream extends Transform {
  private readonly inner: ZstdDecompress;

  constructor() {
    super();
    this.inner = new ZstdDecompress((chunk) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.inner.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      done();
    } catch (err) {
      done(new PortcullisError('CORRUPT_LAYER', `zstd: ${(err as Error).message}`, { cause: err }));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.inner.push(new Uint8Array(0), true);
      done();
    } catch (err) {
      done(new PortcullisError('CORRUPT_LAYER', `zstd: ${(err as Error).message}`, { cause: err }));
    }
  }
}

/**
 * Counts decompressed bytes against the limits: an absolute ceiling, and a ratio ceiling
 * once past 1 MiB, so a gzip bomb is stopped after a bounded amount of work and memory.
 */
class BombGuard extends Transform {
  private out = 0;

  constructor(
    private readonly limits: ImageLimits,
    private readonly what: string,
    private readonly compressedBytes: () => number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.out += chunk.length;
    if (this.out > this.limits.maxLayerBytes) {
      done(
        new PortcullisError(
          'SIZE_LIMIT',
          `${this.what}: uncompressed size exceeds the ${this.limits.maxLayerBytes}-byte limit`,
        ),
      );
      return;
    }
    const inBytes = Math.max(1, this.compressedBytes());
    if (this.out > 1024 * 1024 && this.out / inBytes > this.limits.maxCompressionRatio) {
      done(
        new PortcullisError(
          'SIZE_LIMIT',
          `${this.what}: compression ratio above ${this.limits.maxCompressionRatio}:1 (decompression bomb?)`,
        ),
      );
      return;
    }
    done(null, chunk);
  }
}

/** Counts bytes flowing into the decompressor, for the ratio guard. */
class Counter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * Returns [input, output]: write compressed bytes into `input`, read the tar from `output`.
 * Errors of every stage surface on `output` with the layer named.
 */
export function decompressor(
  compression: Compression,
  limits: ImageLimits,
  what: string,
): { input: Transform; output: Transform } {
  const counter = new Counter();
  const guard = new BombGuard(limits, what, () => counter.bytes);
  if (compression === 'none') {
    counter.pipe(guard);
    counter.on('error', (err) => guard.destroy(err));
    return { input: counter, output: guard };
  }
  // 256 KiB output chunks: each chunk costs a trip through JavaScript, and a quarter as many
  // trips as with 64 KiB saved about a tenth of the CPU of inflating the app fixture.
  const inflate: Transform =
    compression === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : new ZstdStream();
  counter.pipe(inflate).pipe(guard);
  counter.on('error', (err) => guard.destroy(err));
  inflate.on('error', (err: Error) =>
    guard.destroy(
      err instanceof PortcullisError
        ? err
        : new PortcullisError('CORRUPT_LAYER', `${what}: ${compression} data is corrupt: ${err.message}`, {
            cause: err,
          }),
    ),
  );
  return { input: counter, output: guard };
}
