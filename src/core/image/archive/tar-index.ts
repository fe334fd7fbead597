/**
 * An index of an uncompressed tar file: member name → byte range. Archives (docker save,
 * OCI archives) are read member by member straight from the file, never extracted, so a
 * multi-gigabyte archive costs one pass over its headers and no disk space.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { PortcullisError } from '../../errors.js';
import { readAll } from '../partial.js';

export type TarMemberType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarMember {
  name: string;
  type: TarMemberType;
  /** Byte offset of the member's data in the file. */
  offset: number;
  size: number;
  linkname?: string;
}

const BLOCK = 512;
/** Longest GNU long-name / pax header we read; real ones are a few hundred bytes. */
const MAX_META_BYTES = 1024 * 1024;
const MAX_LINK_HOPS = 8;

/** `./a//b/` → `a/b`; archive member names are compared in this form. */
export function normalizeMemberName(name: string): string {
  return posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
}

function cString(buf: Buffer, start: number, end: number): string {
  const slice = buf.subarray(start, end);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? slice.length : nul).toString('utf8');
}

function parseNumber(buf: Buffer, start: number, end: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian binary after the marker bit, used for members ≥ 8 GiB.
    let value = first & 0x7f;
    for (let i = start + 1; i < end; i++) value = value * 256 + (buf[i] ?? 0);
    return value;
  }
  const text = cString(buf, start, end).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return parseNumber(header, 148, 156) === sum;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

function memberType(flag: string): TarMemberType {
  if (flag === '0' || flag === '\0' || flag === '' || flag === '7') return 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

export class TarIndex {
  private constructor(
    readonly file: string,
    /** For messages: the source the archive came from. */
    readonly what: string,
    private readonly members: Map<string, TarMember>,
  ) {}

  /** Reads every header of `file` (not the data). Throws CORRUPT_ARCHIVE naming the offset on damage. */
  static async open(file: string, what: string, maxMembers = 1_000_000): Promise<TarIndex> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new PortcullisError(
        code === 'ENOENT' ? 'NOT_FOUND' : 'IO',
        `${what}: cannot open ${file}: ${(err as Error).message}`,
        { cause: err, details: { path: file } },
      );
    }
    try {
      const members = await scan(handle, file, what, maxMembers);
      return new TarIndex(file, what, members);
    } finally {
      await handle.close();
    }
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  /** The member called `name`, following symlinks and hard links inside the archive. */
  resolve(name: string): TarMember | undefined {
    let current = normalizeMemberName(name);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const member = this.members.get(current);
      if (!member || (member.type !== 'symlink' && member.type !== 'hardlink')) return member;
      const target = member.linkname ?? '';
      current =
        member.type === 'symlink' && !target.startsWith('/')
          ? normalizeMemberName(posix.join(posix.dirname(current), target))
          : normalizeMemberName(target);
    }
    return undefined;
  }

  private require(name: string): TarMember {
    const member = this.resolve(name);
    if (!member || member.type !== 'file') {
      throw new PortcullisError('NOT_FOUND', `${this.what}: the archive has no file ${name}`, {
        details: { path: name },
      });
    }
    return member;
  }

  has(name: string): boolean {
    return this.resolve(name)?.type === 'file';
  }

  size(name: string): number {
    return this.require(name).size;
  }

  /** Streams a member's bytes (or `length` bytes from `start` within it) from the file. */
  open(name: string, start = 0, length?: number): Readable {
    const member = this.require(name);
    const len = Math.max(0, Math.min(length ?? member.size, member.size - start));
    if (len === 0) return Readable.from([]);
    return createReadStream(this.file, {
      start: member.offset + start,
      end: member.offset + start + len - 1,
      highWaterMark: 256 * 1024,
    });
  }

  async read(name: string, limit: number): Promise<Buffer> {
    return readAll(this.open(name), limit, `${this.what}: ${name}`);
  }
}

async function readBlock(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

async function scan(
  handle: FileHandle,
  file: string,
  what: string,
  maxMembers: number,
): Promise<Map<string, TarMember>> {
  const { size: fileSize } = await handle.stat();
  const corrupt = (offset: number, why: string) =>
    new PortcullisError(
      'CORRUPT_ARCHIVE',
      `${what}: ${file} is not a valid tar archive: ${why} at byte ${offset}`,
      {
        details: { path: file, offset },
      },
    );
  const members = new Map<string, TarMember>();
  let pos = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  let count = 0;
  while (pos < fileSize) {
    const header = await readBlock(handle, pos, BLOCK);
    if (header.length < BLOCK) throw corrupt(pos, 'truncated header');
    if (header.every((b) => b === 0)) return members;
    if (!checksumOk(header)) throw corrupt(pos, 'header checksum mismatch');
    const size = parseNumber(header, 124, 136);
    if (!Number.isFinite(size) || size < 0) throw corrupt(pos, 'bad member size');
    const dataStart = pos + BLOCK;
    if (dataStart + size > fileSize)
      throw corrupt(pos, `member data runs past the end of the file (truncated)`);
    const flag = String.fromCharCode(header[156] ?? 0);
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
      if (size > MAX_META_BYTES) throw corrupt(pos, 'oversized extended header');
      const data = await readBlock(handle, dataStart, size);
      if (flag === 'L') longName = cString(data, 0, data.length);
      else if (flag === 'K') longLink = cString(data, 0, data.length);
      else if (flag === 'x') pax = parsePax(data);
      pos = next;
      continue;
    }
    if (++count > maxMembers) throw corrupt(pos, `more than ${maxMembers} members`);
    const ustar = header.subarray(257, 263).toString('latin1') === 'ustar\0';
    const prefix = ustar ? cString(header, 345, 500) : '';
    const rawName =
      pax.path ?? longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    const linkname = pax.linkpath ?? longLink ?? cString(header, 157, 257);
    const name = normalizeMemberName(rawName);
    const type = memberType(flag);
    members.set(name, {
      name,
      type,
      offset: dataStart,
      size: type === 'file' ? size : 0,
      ...(linkname ? { linkname } : {}),
    });
    longName = undefined;
    longLink = undefined;
    pax = {};
    pos = next;
  }
  // No end-of-archive blocks: tolerated (some writers omit them) as long as every member was whole.
  return members;
}
