/**
 * Read-only reader for the Berkeley DB hash file rpm used up to 4.15 (/var/lib/rpm/Packages),
 * following Berkeley DB's on-disk page layout (db_page.h): a metadata page, then hash pages
 * whose item index holds alternating key/data items, large items living in chains of
 * overflow pages. Keys are rpm header numbers, data items are header blobs; the record with
 * key 0 is rpm's instance counter and is skipped. Pages are scanned in file order, so the
 * hash function never matters, and every offset, length and chain is bounds-checked.
 */
import { PortcullisError } from '../../errors.js';
import type { DbRecord } from './sqlite.js';

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

interface Reader {
  u32(at: number): number;
  u16(at: number): number;
}

export function readBdbRecords(bytes: Buffer, path: string): DbRecord[] {
  const fail = (msg: string): PortcullisError =>
    new PortcullisError('CORRUPT_DATABASE', `${path}: ${msg}`, { details: { path } });
  if (bytes.length < 512) throw fail(`${bytes.length} bytes is too small for a Berkeley DB file`);
  const le = bytes.readUInt32LE(12) === HASH_MAGIC;
  if (!le && bytes.readUInt32BE(12) !== HASH_MAGIC) throw fail('not a Berkeley DB hash database (bad magic)');
  const r: Reader = le
    ? { u32: (at) => bytes.readUInt32LE(at), u16: (at) => bytes.readUInt16LE(at) }
    : { u32: (at) => bytes.readUInt32BE(at), u16: (at) => bytes.readUInt16BE(at) };
  const pageSize = r.u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw fail(`invalid page size ${pageSize}`);
  if (bytes[24] !== 0) throw fail('encrypted Berkeley DB files are not supported');
  if (bytes[25] !== P_HASHMETA) throw fail(`first page has type ${bytes[25]}, not hash metadata`);
  const pages = Math.floor(bytes.length / pageSize);

  const overflow = (start: number, total: number): Buffer => {
    if (total > bytes.length) throw fail(`overflow item of ${total} bytes exceeds the file`);
    const chunks: Buffer[] = [];
    const seen = new Set<number>();
    let length = 0;
    for (let pgno = start; pgno !== 0;) {
      if (pgno >= pages || seen.has(pgno))
        throw fail(`overflow chain reaches invalid or repeated page ${pgno}`);
      seen.add(pgno);
      const base = pgno * pageSize;
      if (bytes[base + 25] !== P_OVERFLOW)
        throw fail(`page ${pgno} in an overflow chain is not an overflow page`);
      const used = r.u16(base + 22);
      if (PAGE_HEADER + used > pageSize) throw fail(`overflow page ${pgno} claims ${used} bytes`);
      chunks.push(bytes.subarray(base + PAGE_HEADER, base + PAGE_HEADER + used));
      length += used;
      pgno = r.u32(base + 16);
    }
    if (length !== total)
      throw fail(`overflow chain at page ${start} holds ${length} bytes, expected ${total}`);
    return Buffer.concat(chunks);
  };

  const item = (base: number, index: number, offsets: number[]): Buffer | undefined => {
    const offset = offsets[index] as number;
    const end = index === 0 ? pageSize : (offsets[index - 1] as number);
    if (offset < PAGE_HEADER || offset >= end || end > pageSize)
      throw fail(`item ${index} of page ${base / pageSize} out of bounds`);
    const type = bytes[base + offset];
    if (type === H_KEYDATA) return bytes.subarray(base + offset + 1, base + end);
    if (type === H_OFFPAGE) {
      if (offset + 12 > end) throw fail(`off-page item on page ${base / pageSize} is truncated`);
      return overflow(r.u32(base + offset + 4), r.u32(base + offset + 8));
    }
    return undefined;
  };

  const records: DbRecord[] = [];
  for (let pgno = 1; pgno < pages; pgno++) {
    const base = pgno * pageSize;
    const type = bytes[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = r.u16(base + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) throw fail(`page ${pgno} claims ${entries} entries`);
    const offsets = Array.from({ length: entries }, (_, i) => r.u16(base + PAGE_HEADER + i * 2));
    for (let i = 0; i + 1 < entries; i += 2) {
      const key = item(base, i, offsets);
      const value = item(base, i + 1, offsets);
      if (!key || key.length !== 4 || !value) continue;
      const hnum = le ? key.readUInt32LE(0) : key.readUInt32BE(0);
      if (hnum !== 0) records.push({ key: hnum, blob: value });
    }
  }
  return records.sort((a, b) => a.key - b.key);
}
