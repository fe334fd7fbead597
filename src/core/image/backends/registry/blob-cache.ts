/**
 * Content-addressed cache of registry blobs under `<cacheDir>/blobs/<algorithm>/<hex>`.
 * A blob is written to a temp name next to its final place while it streams to the
 * consumer, and renamed only when its digest and size check out, so a reader never sees a
 * partial or wrong file and deleting the cache at any moment is safe. Cache trouble
 * (read-only disk, full disk) never fails a pull: we just stop caching.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { digestHex } from '../../digest.js';
import type { Descriptor } from '../../types.js';

export function blobCachePath(cacheDir: string, digest: string): string {
  return join(cacheDir, 'blobs', digest.slice(0, digest.indexOf(':')), digestHex(digest));
}

/**
 * Passes a blob through, copying it into the cache as it goes. It also turns transport
 * errors into coded ones through `mapError`, so it is used with and without a cache.
 */
class CacheTee extends Transform {
  private readonly hash;
  private bytes = 0;
  private pending: (() => void) | undefined;

  constructor(
    private readonly descriptor: Descriptor,
    private file: WriteStream | undefined,
    private readonly temp: string | undefined,
    private readonly final: string | undefined,
  ) {
    super();
    this.hash = createHash(descriptor.digest.startsWith('sha512:') ? 'sha512' : 'sha256');
    this.file?.on('error', () => void this.abandon());
  }

  /** Stops caching this blob: the temp file is closed first, then removed, so none is left. */
  private abandon(): Promise<void> {
    const file = this.file;
    const temp = this.temp;
    this.file = undefined;
    const resume = this.pending;
    this.pending = undefined;
    resume?.();
    if (!file || !temp) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (file.closed) resolve();
      else file.once('close', () => resolve());
      file.destroy();
    })
      .then(() => unlink(temp))
      .catch(() => undefined);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    const file = this.file;
    if (!file) {
      done(null, chunk);
      return;
    }
    this.hash.update(chunk);
    if (file.write(chunk)) {
      done(null, chunk);
      return;
    }
    this.pending = () => done(null, chunk);
    file.once('drain', () => {
      const resume = this.pending;
      this.pending = undefined;
      resume?.();
    });
  }

  override _flush(done: TransformCallback): void {
    const file = this.file;
    const { temp, final } = this;
    if (!file || !temp || !final) {
      done();
      return;
    }
    this.file = undefined;
    file.end(() => {
      const algorithm = this.descriptor.digest.slice(0, this.descriptor.digest.indexOf(':'));
      const good =
        `${algorithm}:${this.hash.digest('hex')}` === this.descriptor.digest &&
        (this.descriptor.size < 0 || this.bytes === this.descriptor.size);
      const commit = good ? rename(temp, final) : Promise.reject(new Error('digest mismatch'));
      commit.catch(() => unlink(temp).catch(() => undefined)).finally(() => done());
    });
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    if (!this.file) {
      done(err);
      return;
    }
    void this.abandon().finally(() => done(err));
  }
}

/**
 * Opens a blob from the cache when a complete copy is there; otherwise opens it with
 * `fetch` and caches it on the way through. `mapError` names transport failures.
 */
export async function openCachedBlob(
  cacheDir: string | undefined,
  descriptor: Descriptor,
  fetch: () => Promise<Readable>,
  mapError: (err: unknown) => Error,
): Promise<Readable> {
  const final = cacheDir ? blobCachePath(cacheDir, descriptor.digest) : undefined;
  if (final) {
    const found = await stat(final).catch(() => undefined);
    // The consumer verifies the digest; a size check here catches truncated leftovers early.
    if (found?.isFile() && (descriptor.size < 0 || found.size === descriptor.size))
      return createReadStream(final);
    if (found) await unlink(final).catch(() => undefined);
  }
  const body = await fetch();
  let file: WriteStream | undefined;
  let temp: string | undefined;
  if (final) {
    temp = `${final}.tmp-${randomUUID()}`;
    const ready = await mkdir(dirname(final), { recursive: true }).then(
      () => true,
      () => false,
    );
    if (ready) file = createWriteStream(temp, { flags: 'wx' });
  }
  const tee = new CacheTee(descriptor, file, temp, final);
  body.on('error', (err) => tee.destroy(mapError(err)));
  // A consumer that stops early must release the connection too.
  tee.on('close', () => body.destroy());
  return body.pipe(tee);
}
