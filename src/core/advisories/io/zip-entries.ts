/**
 * Reads the members of a zip (OSV.dev's `all.zip`) one at a time; yauzl parses and validates
 * the central directory. Memory is bounded: archives up to `maxInMemoryBytes` are read into one
 * buffer and members sliced from it (yauzl's per-member streams cost ~0.2 ms each, which
 * dominated an OSV import); larger ones are streamed from the file descriptor. Members are inflated one by one with their size and CRC-32 checked, since we
 * take the raw bytes from yauzl. A truncated or corrupt archive is a FEED_CORRUPT error naming
 * the zip; an oversized member is handed to the caller as `contents: null`.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { PortcullisError } from '../../errors.js';

export interface ZipMember {
  name: string;
  /** Null when the member is larger than `maxEntryBytes` (not read). */
  contents: Buffer | null;
}

export interface ZipLimits {
  maxEntryBytes: number;
  maxEntries: number;
  maxInMemoryBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = Object.freeze({
  maxEntryBytes: 16 * 1024 * 1024,
  maxEntries: 2_000_000,
  maxInMemoryBytes: 256 * 1024 * 1024,
});

const STORED = 0;
const DEFLATED = 8;

function corrupt(file: string, err: unknown): PortcullisError {
  const message = err instanceof Error ? err.message : String(err);
  return new PortcullisError('FEED_CORRUPT', `${file}: zip archive is truncated or corrupt: ${message}`, {
    cause: err,
    details: { file },
  });
}

interface OpenZip {
  zip: ZipFile;
  /** The whole archive, when it was small enough to hold in memory. */
  buffer: Buffer | undefined;
}

async function openZip(file: string, limits: ZipLimits): Promise<OpenZip> {
  const options = { lazyEntries: true, autoClose: true, decodeStrings: true };
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new PortcullisError('NOT_FOUND', `${file}: no such zip file`, { cause: err, details: { file } });
  }
  const inMemory = size <= limits.maxInMemoryBytes ? await readFile(file) : undefined;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: ZipFile): void => {
      if (err || !zip) reject(corrupt(file, err ?? new Error('no archive')));
      else resolve({ zip, buffer: inMemory });
    };
    if (inMemory) yauzl.fromBuffer(inMemory, options, done);
    else yauzl.open(file, options, done);
  });
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;

/**
 * The member's raw bytes straight from the in-memory archive: yauzl has validated the central
 * directory; the local header only tells how far the name and extra field push the data.
 */
function sliceRaw(buffer: Buffer, entry: Entry, file: string): Buffer {
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + LOCAL_HEADER_BYTES > buffer.length || buffer.readUInt32LE(at) !== LOCAL_HEADER_SIGNATURE) {
    throw corrupt(file, new Error(`${entry.fileName}: bad local file header`));
  }
  const start = at + LOCAL_HEADER_BYTES + buffer.readUInt16LE(at + 26) + buffer.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buffer.length)
    throw corrupt(file, new Error(`${entry.fileName}: data runs past the end of the archive`));
  return buffer.subarray(start, end);
}

/** The member's raw (still compressed) bytes, streamed from the file. */
const readRaw = (zip: ZipFile, entry: Entry, file: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    // `decompress: false` is a documented yauzl option missing from @types/yauzl.
    // yauzl accepts it only for compressed members; stored ones come raw anyway.
    const options = (entry.isCompressed() ? { decompress: false } : {}) as unknown as yauzl.ZipFileOptions;
    zip.openReadStream(entry, options, (err, stream?: Readable) => {
      if (err || !stream) {
        reject(corrupt(file, err ?? new Error(`cannot open ${entry.fileName}`)));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (e) => reject(corrupt(file, e)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });

function inflate(entry: Entry, raw: Buffer, file: string, limits: ZipLimits): Buffer {
  let out: Buffer;
  if (entry.compressionMethod === STORED) out = raw;
  else if (entry.compressionMethod === DEFLATED) {
    try {
      out = inflateRawSync(raw, { maxOutputLength: limits.maxEntryBytes });
    } catch (err) {
      throw corrupt(file, new Error(`${entry.fileName}: ${(err as Error).message}`));
    }
  } else {
    throw corrupt(
      file,
      new Error(`${entry.fileName}: unsupported compression method ${entry.compressionMethod}`),
    );
  }
  if (out.length !== entry.uncompressedSize || crc32(out) !== entry.crc32) {
    throw corrupt(file, new Error(`${entry.fileName}: size or CRC-32 mismatch`));
  }
  return out;
}

/**
 * Calls `onMember` for every file member, in archive order, awaiting it before reading on.
 * Rejects with FEED_CORRUPT when the archive cannot be read to its end; errors thrown by
 * `onMember` pass through unchanged.
 */
export async function forEachZipMember(
  file: string,
  onMember: (member: ZipMember) => Promise<void> | void,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<void> {
  const { zip, buffer } = await openZip(file, limits);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new PortcullisError(
      'SIZE_LIMIT',
      `${file}: ${zip.entryCount} members exceed the ${limits.maxEntries} limit`,
      {
        details: { file },
      },
    );
  }
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      zip.close();
      reject(err);
    };
    zip.on('error', (err) => fail(corrupt(file, err)));
    zip.on('end', () => {
      if (!failed) resolve();
    });
    zip.on('entry', (entry: Entry) => {
      void (async () => {
        try {
          if (!entry.fileName.endsWith('/')) {
            const tooLarge = entry.uncompressedSize > limits.maxEntryBytes;
            if (entry.isEncrypted()) throw corrupt(file, new Error(`${entry.fileName}: encrypted member`));
            const raw = tooLarge
              ? undefined
              : buffer
                ? sliceRaw(buffer, entry, file)
                : await readRaw(zip, entry, file);
            const contents = raw === undefined ? null : inflate(entry, raw, file, limits);
            await onMember({ name: entry.fileName, contents });
          }
          if (!failed) zip.readEntry();
        } catch (err) {
          fail(err);
        }
      })();
    });
    zip.readEntry();
  });
}
