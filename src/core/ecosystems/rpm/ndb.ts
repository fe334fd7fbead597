/**
 * Reader for rpm's native NDB back-end (rpm >= 4.16 on SUSE: /usr/lib/sysimage/rpm/Packages.db),
 * following rpm's lib/backend/ndb/rpmpkg.c layout. All integers are little-endian.
 *  - A 32-byte file header: magic "RpmP", version 0, generation, number of slot pages.
 *  - Slot pages (4096 bytes each, the header taking the first two 16-byte slots): entries of
 *    magic "Slot", package index (0 = free), offset and length in 16-byte blocks.
 *  - At each slot's offset a blob: magic "BlbS", package index, checksum, length, then the
 *    header blob itself.
 */
import { PortcullisError } from '../../errors.js';
import type { DbRecord } from './sqlite.js';

const HEADER_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLOCK_SIZE = 16;
/** rpm never needs more slot pages than this; more means a corrupt or hostile file. */
const MAX_SLOT_PAGES = 2048;

export function readNdbRecords(bytes: Buffer, path: string): DbRecord[] {
  const fail = (msg: string): PortcullisError =>
    new PortcullisError('CORRUPT_DATABASE', `${path}: ${msg}`, { details: { path } });
  if (bytes.length < 32) throw fail(`${bytes.length} bytes is too small for an NDB database`);
  if (bytes.readUInt32LE(0) !== HEADER_MAGIC) throw fail('not an rpm NDB database (bad magic)');
  if (bytes.readUInt32LE(4) !== 0) throw fail(`unsupported NDB version ${bytes.readUInt32LE(4)}`);
  const slotPages = bytes.readUInt32LE(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw fail(`invalid slot page count ${slotPages}`);
  const slotsEnd = slotPages * PAGE_SIZE;
  if (slotsEnd > bytes.length)
    throw fail(`declares ${slotPages} slot pages but the file is ${bytes.length} bytes`);

  const records: DbRecord[] = [];
  for (let at = 32; at < slotsEnd; at += SLOT_SIZE) {
    if (bytes.readUInt32LE(at) !== SLOT_MAGIC) throw fail(`slot at byte ${at} has a bad magic`);
    const pkgIndex = bytes.readUInt32LE(at + 4);
    if (pkgIndex === 0) continue;
    const offset = bytes.readUInt32LE(at + 8) * BLOCK_SIZE;
    const blocks = bytes.readUInt32LE(at + 12);
    if (offset < slotsEnd || offset + blocks * BLOCK_SIZE > bytes.length || offset + 16 > bytes.length) {
      throw fail(`package ${pkgIndex} points outside the file`);
    }
    if (bytes.readUInt32LE(offset) !== BLOB_MAGIC || bytes.readUInt32LE(offset + 4) !== pkgIndex) {
      throw fail(`package ${pkgIndex} has no blob at byte ${offset}`);
    }
    const length = bytes.readUInt32LE(offset + 12);
    if (offset + 16 + length > Math.min(bytes.length, offset + blocks * BLOCK_SIZE)) {
      throw fail(`package ${pkgIndex} blob of ${length} bytes runs past its blocks`);
    }
    records.push({ key: pkgIndex, blob: bytes.subarray(offset + 16, offset + 16 + length) });
  }
  return records.sort((a, b) => a.key - b.key);
}
