import { addressToOffset, parseElf, sectionData, type ElfFile } from './elf.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

/** True when the bytes can hold Go build info: the cheap pre-filter for the binary cataloger. */
export function hasGoBuildInfo(contents: Buffer): boolean {
  return contents.length >= 64 && contents.readUInt32BE(0) === 0x7f454c46 && contents.includes(MAGIC);
}
const HEADER_SIZE = 32;
/** Build info strings are small; anything larger means we are reading garbage. */
const MAX_STRING = 4 * 1024 * 1024;

export interface RawBuildInfo {
  goVersion: string;
  modinfo: string;
}

/** Before decoding: modinfo's sentinels are not UTF-8, so they are stripped as bytes. */
interface RawBytes {
  goVersion: Buffer;
  modinfo: Buffer;
}

/** Unsigned LEB128 varint as Go's encoding/binary writes it. */
function readUvarint(data: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let i = pos; i < data.length && shift < 35; i++) {
    const b = data[i] ?? 0;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    shift += 7;
  }
  return undefined;
}

/** Go 1.18+: two varint-length-prefixed strings right after the 32-byte header. */
function readInline(data: Buffer, start: number): RawBytes | undefined {
  const strings: Buffer[] = [];
  let pos = start + HEADER_SIZE;
  for (let i = 0; i < 2; i++) {
    const len = readUvarint(data, pos);
    if (len === undefined || len.value > MAX_STRING || len.next + len.value > data.length) return undefined;
    strings.push(data.subarray(len.next, len.next + len.value));
    pos = len.next + len.value;
  }
  return { goVersion: strings[0] ?? Buffer.alloc(0), modinfo: strings[1] ?? Buffer.alloc(0) };
}

/** Before Go 1.18: two pointers to Go string headers (data pointer, length) in the binary's data. */
function readPointers(
  data: Buffer,
  elf: ElfFile,
  start: number,
  ptrSize: number,
  bigEndian: boolean,
): RawBytes | undefined {
  const readPtr = (off: number): bigint | undefined => {
    if (off < 0 || off + ptrSize > data.length) return undefined;
    if (ptrSize === 8) return bigEndian ? data.readBigUInt64BE(off) : data.readBigUInt64LE(off);
    return BigInt(bigEndian ? data.readUInt32BE(off) : data.readUInt32LE(off));
  };
  const readGoString = (headerAddr: bigint | undefined): Buffer | undefined => {
    if (headerAddr === undefined) return undefined;
    const headerOff = addressToOffset(elf, headerAddr);
    if (headerOff === undefined) return undefined;
    const ptr = readPtr(headerOff);
    const len = readPtr(headerOff + ptrSize);
    if (ptr === undefined || len === undefined || len > BigInt(MAX_STRING)) return undefined;
    if (len === 0n) return Buffer.alloc(0);
    const off = addressToOffset(elf, ptr);
    if (off === undefined || off + Number(len) > data.length) return undefined;
    return data.subarray(off, off + Number(len));
  };
  const goVersion = readGoString(readPtr(start + 16));
  const modinfo = readGoString(readPtr(start + 16 + ptrSize));
  return goVersion === undefined ? undefined : { goVersion, modinfo: modinfo ?? Buffer.alloc(0) };
}

/** Go wraps modinfo in 16-byte sentinels so the linker can find it; strip them as debug/buildinfo does. */
function stripSentinels(bytes: Buffer): string {
  if (bytes.length >= 33 && bytes[bytes.length - 17] === 0x0a)
    return bytes.toString('utf8', 16, bytes.length - 16);
  return bytes.toString('utf8');
}

/**
 * Build info of a Go ELF binary, or undefined when it is not a Go binary. The header is looked
 * for in `.go.buildinfo` first (16-byte aligned), then by scanning the file (stripped section tables).
 */
export function readGoBuildInfo(data: Buffer): RawBuildInfo | undefined {
  const elf = parseElf(data);
  if (elf === undefined) return undefined;
  const section = elf.sections.find((s) => s.name === '.go.buildinfo');
  let start = -1;
  if (section !== undefined && sectionData(data, elf, '.go.buildinfo') !== undefined) {
    const idx = data.subarray(section.offset, section.offset + section.size).indexOf(MAGIC);
    if (idx >= 0) start = section.offset + idx;
  }
  if (start < 0) {
    for (let idx = data.indexOf(MAGIC); idx >= 0; idx = data.indexOf(MAGIC, idx + 1)) {
      if (idx % 16 === 0) {
        start = idx;
        break;
      }
    }
  }
  if (start < 0 || start + HEADER_SIZE > data.length) return undefined;
  const ptrSize = data[start + 14] ?? 0;
  const flags = data[start + 15] ?? 0;
  const info =
    (flags & 2) !== 0
      ? readInline(data, start)
      : ptrSize === 4 || ptrSize === 8
        ? readPointers(data, elf, start, ptrSize, (flags & 1) !== 0)
        : undefined;
  return info === undefined
    ? undefined
    : { goVersion: info.goVersion.toString('utf8'), modinfo: stripSentinels(info.modinfo) };
}
