import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open as openFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { abortError } from '../../abort.js';
import { PortcullisError } from '../../errors.js';
import { decompressor } from '../decompress.js';
import { sniffCompression } from '../media-types.js';
import type { ImageEnvironment, ImageRequest } from '../options.js';

async function head(file: string): Promise<Buffer> {
  const handle = await openFile(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * A tar can only be indexed by byte range when it is uncompressed; a compressed archive is
 * decompressed once into the private temp dir (bounded by the layer size limits).
 */
/** What a decompression needs: the limits, and the request's temp dir and signal. */
export type ArchiveOptions = Pick<ImageEnvironment, 'limits'> & Pick<ImageRequest, 'tempDir' | 'signal'>;

export async function uncompressedTar(file: string, options: ArchiveOptions, what: string): Promise<string> {
  const info = await stat(file);
  if (!info.isFile()) {
    throw new PortcullisError('INVALID_ARGUMENT', `${what}: ${file} is not a file`, {
      details: { path: file },
    });
  }
  const compression = sniffCompression(await head(file));
  if (compression === 'none') return file;
  const spill = join(options.tempDir, `archive-${randomUUID()}.tar`);
  const { input, output } = decompressor(compression, options.limits, `${what} (${compression} archive)`);
  // A cancelled request stops the decompression; a spill that did not complete is removed
  // at once (a long-running process may keep its temp dir for a while).
  const signal = options.signal ? { signal: options.signal } : {};
  await Promise.all([
    pipeline(createReadStream(file), input, signal),
    pipeline(output, createWriteStream(spill, { mode: 0o600 }), signal),
  ]).catch(async (err: unknown) => {
    await rm(spill, { force: true });
    if (options.signal?.aborted) throw abortError(options.signal, `decompressing ${what}`);
    throw err instanceof PortcullisError && err.code === 'CORRUPT_LAYER'
      ? new PortcullisError('CORRUPT_ARCHIVE', err.message, { cause: err })
      : err;
  });
  return spill;
}
