/**
 * Replays a SQLite write-ahead log onto the main database bytes, in memory, the way SQLite's
 * own recovery reads a `-wal` file it finds beside a database (file format:
 * https://www.sqlite.org/fileformat2.html#walformat). rpm keeps its SQLite database in WAL
 * mode, so packages written since the last checkpoint live only in `rpmdb.sqlite-wal`.
 *
 * Frames count up to the last valid commit frame. The first frame whose salts differ from the
 * header's, or whose cumulative checksum does not match, ends the log: that is how SQLite tells
 * a half-written frame or a frame left over from an earlier log generation from a live one.
 */
import { PortcullisError } from '../../errors.js';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
/** The low bit of the magic says in which byte order the checksums were computed. */
const MAGIC_LITTLE_ENDIAN = 0x377f0682;
const MAGIC_BIG_ENDIAN = 0x377f0683;
const WAL_FORMAT_VERSION = 3007000;
const SQLITE_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

export interface WalReplay {
  /** The database as SQLite sees it once the log is recovered. */
  database: Buffer;
  /** Frames applied: every frame up to and including the last valid commit frame. */
  framesApplied: number;
  /** Frames in the file that were not applied (uncommitted, invalid, or after an invalid one). */
  framesIgnored: number;
}

/**
 * The database with the committed frames of `wal` applied. Throws CORRUPT_DATABASE when the
 * log cannot belong to this database (bad header, another page size) and SIZE_LIMIT when a
 * commit claims a database larger than the two inputs together could hold.
 */
export function applyWal(database: Buffer, wal: Buffer, walPath: string): WalReplay {
  const unchanged = (framesIgnored: number): WalReplay => ({ database, framesApplied: 0, framesIgnored });
  // SQLite never reads a log for an empty database (it deletes the log instead); an empty log
  // is what rpm leaves after its closing `wal_checkpoint(TRUNCATE)`.
  if (database.length === 0 || wal.length === 0) return unchanged(0);
  const header = readHeader(wal, walPath);
  const dbPageSize = databasePageSize(database, walPath);
  if (dbPageSize !== header.pageSize) {
    throw corrupt(walPath, `page size ${header.pageSize} differs from the database's ${dbPageSize}`);
  }

  const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
  // A trailing partial frame is a write cut short: it counts as ignored, never as applied.
  const framesInFile = Math.ceil((wal.length - WAL_HEADER_BYTES) / frameBytes);
  let checksum = header.checksum;
  let frame = 0;
  let uncommitted = new Map<number, number>();
  const committed = new Map<number, number>();
  let committedFrames = 0;
  let committedPages = 0;
  for (let at = WAL_HEADER_BYTES; at + frameBytes <= wal.length; at += frameBytes, frame++) {
    const pageNumber = wal.readUInt32BE(at);
    const pagesAfterCommit = wal.readUInt32BE(at + 4);
    if (pageNumber === 0) break;
    if (wal.readUInt32BE(at + 8) !== header.salt1 || wal.readUInt32BE(at + 12) !== header.salt2) break;
    checksum = walChecksum(wal, at, at + 8, header.bigEndian, checksum);
    checksum = walChecksum(wal, at + FRAME_HEADER_BYTES, at + frameBytes, header.bigEndian, checksum);
    if (checksum[0] !== wal.readUInt32BE(at + 16) || checksum[1] !== wal.readUInt32BE(at + 20)) break;
    // A later frame for the same page supersedes an earlier one.
    uncommitted.set(pageNumber, at + FRAME_HEADER_BYTES);
    if (pagesAfterCommit !== 0) {
      for (const [page, offset] of uncommitted) committed.set(page, offset);
      uncommitted = new Map();
      committedFrames = frame + 1;
      committedPages = pagesAfterCommit;
    }
  }
  if (committedFrames === 0) return unchanged(framesInFile);

  const size = committedPages * header.pageSize;
  // Every page past the database's end must come from a frame, so a genuine log never makes
  // the image larger than both inputs together; both are already bounded by the capture cap.
  const limit = database.length + wal.length;
  if (size > limit) {
    throw new PortcullisError(
      'SIZE_LIMIT',
      `${walPath}: commit frame declares ${committedPages} pages (${size} bytes), more than database and log hold (${limit} bytes)`,
      { details: { path: walPath, size, limit } },
    );
  }
  const image = Buffer.alloc(size);
  database.copy(image, 0, 0, Math.min(database.length, size));
  for (const [page, offset] of committed) {
    // Pages past the committed size were truncated away by that commit (e.g. VACUUM).
    if (page > committedPages) continue;
    wal.copy(image, (page - 1) * header.pageSize, offset, offset + header.pageSize);
  }
  return { database: image, framesApplied: committedFrames, framesIgnored: framesInFile - committedFrames };
}

interface WalHeader {
  bigEndian: boolean;
  pageSize: number;
  salt1: number;
  salt2: number;
  checksum: [number, number];
}

function readHeader(wal: Buffer, walPath: string): WalHeader {
  if (wal.length < WAL_HEADER_BYTES)
    throw corrupt(walPath, `${wal.length} bytes is shorter than a log header`);
  const magic = wal.readUInt32BE(0);
  if (magic !== MAGIC_LITTLE_ENDIAN && magic !== MAGIC_BIG_ENDIAN) {
    throw corrupt(walPath, `bad magic 0x${magic.toString(16)}`);
  }
  const version = wal.readUInt32BE(4);
  if (version !== WAL_FORMAT_VERSION) throw corrupt(walPath, `unsupported format version ${version}`);
  const pageSize = wal.readUInt32BE(8);
  if (!validPageSize(pageSize)) throw corrupt(walPath, `invalid page size ${pageSize}`);
  const bigEndian = magic === MAGIC_BIG_ENDIAN;
  const checksum = walChecksum(wal, 0, 24, bigEndian, [0, 0]);
  if (checksum[0] !== wal.readUInt32BE(24) || checksum[1] !== wal.readUInt32BE(28)) {
    throw corrupt(walPath, 'header checksum mismatch');
  }
  return { bigEndian, pageSize, salt1: wal.readUInt32BE(16), salt2: wal.readUInt32BE(20), checksum };
}

/** Page size from the database header (offset 16, big-endian; 1 stands for 65536). */
function databasePageSize(database: Buffer, walPath: string): number {
  if (database.length < 100 || !database.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) {
    throw corrupt(walPath, 'the database beside it is not a SQLite database');
  }
  const raw = database.readUInt16BE(16);
  return raw === 1 ? 65536 : raw;
}

function validPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/**
 * The log's Fibonacci-weighted checksum over 32-bit words read in the byte order the magic
 * names, continued from `seed` (the previous frame's checksum, chaining the whole log).
 */
export function walChecksum(
  bytes: Buffer,
  start: number,
  end: number,
  bigEndian: boolean,
  seed: readonly [number, number],
): [number, number] {
  let [s0, s1] = seed;
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? bytes.readUInt32BE(i) : bytes.readUInt32LE(i);
    const x1 = bigEndian ? bytes.readUInt32BE(i + 4) : bytes.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

function corrupt(walPath: string, reason: string): PortcullisError {
  return new PortcullisError('CORRUPT_DATABASE', `${walPath}: ${reason}`, { details: { path: walPath } });
}
