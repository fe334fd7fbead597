/**
 * The rpm header blob as stored in every rpmdb back-end (rpm's lib/header.c "headerExport"
 * layout, without the 8-byte magic a package file carries): big-endian uint32 index count
 * `il` and data length `dl`, then `il` 16-byte entries (tag, type, offset, count), then `dl`
 * bytes of data. Every offset and count is checked against the blob before it is read.
 */
import { PortcullisError } from '../../errors.js';

/** rpm's own limits (HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;

export const TYPE = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

export type HeaderValue = string | string[] | number[] | Buffer;

export class RpmHeader {
  constructor(private readonly entries: ReadonlyMap<number, HeaderValue>) {}

  string(tag: number): string | undefined {
    const v = this.entries.get(tag);
    if (typeof v === 'string') return v;
    // I18N strings and single-element arrays hold the untranslated value first.
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    return undefined;
  }

  strings(tag: number): string[] {
    const v = this.entries.get(tag);
    if (typeof v === 'string') return [v];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  numbers(tag: number): number[] {
    const v = this.entries.get(tag);
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
  }

  number(tag: number): number | undefined {
    return this.numbers(tag)[0];
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }
}

function corrupt(message: string, where: string): PortcullisError {
  return new PortcullisError('CORRUPT_DATABASE', `rpm header ${where}: ${message}`, { details: { where } });
}

/** Parses one header blob; `where` names it in errors (database path and record number). */
export function parseHeader(blob: Buffer, where: string): RpmHeader {
  if (blob.length < 8) throw corrupt(`blob of ${blob.length} bytes is shorter than its preamble`, where);
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il === 0 || il > MAX_TAGS) throw corrupt(`index count ${il} out of range`, where);
  if (dl > MAX_DATA) throw corrupt(`data length ${dl} out of range`, where);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) {
    throw corrupt(`declares ${dataStart + dl} bytes but the blob has ${blob.length}`, where);
  }
  const data = blob.subarray(dataStart, dataStart + dl);
  const entries = new Map<number, HeaderValue>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    // Region tags (61-63) describe the signed immutable area, not package data.
    if (tag >= 61 && tag <= 63) continue;
    if (offset < 0 || offset > dl)
      throw corrupt(`tag ${tag} offset ${offset} outside data of ${dl} bytes`, where);
    if (count > dl) throw corrupt(`tag ${tag} count ${count} exceeds data length ${dl}`, where);
    const value = readValue(data, type, offset, count, tag, where);
    if (value !== undefined && !entries.has(tag)) entries.set(tag, value);
  }
  return new RpmHeader(entries);
}

function readValue(data: Buffer, type: number, offset: number, count: number, tag: number, where: string) {
  const need = (bytes: number): void => {
    if (offset + bytes > data.length) throw corrupt(`tag ${tag} runs past the end of the data`, where);
  };
  switch (type) {
    case TYPE.CHAR:
    case TYPE.INT8:
      need(count);
      return [...data.subarray(offset, offset + count)];
    case TYPE.INT16:
      need(count * 2);
      return Array.from({ length: count }, (_, i) => data.readUInt16BE(offset + i * 2));
    case TYPE.INT32:
      need(count * 4);
      return Array.from({ length: count }, (_, i) => data.readUInt32BE(offset + i * 4));
    case TYPE.INT64:
      need(count * 8);
      return Array.from({ length: count }, (_, i) => Number(data.readBigUInt64BE(offset + i * 8)));
    case TYPE.STRING:
      return readStrings(data, offset, 1, tag, where)[0];
    case TYPE.STRING_ARRAY:
    case TYPE.I18NSTRING:
      return readStrings(data, offset, count, tag, where);
    case TYPE.BIN:
      need(count);
      return data.subarray(offset, offset + count);
    case TYPE.NULL:
      return undefined;
    default:
      throw corrupt(`tag ${tag} has unknown type ${type}`, where);
  }
}

function readStrings(data: Buffer, offset: number, count: number, tag: number, where: string): string[] {
  const out: string[] = [];
  let pos = offset;
  for (let i = 0; i < count; i++) {
    const end = data.indexOf(0, pos);
    if (end < 0) throw corrupt(`tag ${tag} string is not NUL-terminated`, where);
    out.push(data.toString('utf8', pos, end));
    pos = end + 1;
  }
  return out;
}
