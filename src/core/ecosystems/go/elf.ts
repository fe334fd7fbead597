/**
 * Minimal ELF reader: just the section headers, which is all the build-info readers need
 * (Go's `.go.buildinfo`, cargo-auditable's `.dep-v0`). Every offset is bounds-checked because
 * the bytes are untrusted.
 */
export interface ElfSection {
  name: string;
  type: number;
  addr: bigint;
  offset: number;
  size: number;
}

export interface ElfFile {
  bits: 32 | 64;
  littleEndian: boolean;
  sections: ElfSection[];
}

const SHT_NOBITS = 8;
/** More than any real binary has; a bogus count must not make us loop for ages. */
const MAX_SECTIONS = 4096;

export function isElf(data: Buffer): boolean {
  return data.length >= 52 && data.readUInt32BE(0) === 0x7f454c46;
}

export function parseElf(data: Buffer): ElfFile | undefined {
  if (!isElf(data)) return undefined;
  const cls = data[4];
  const enc = data[5];
  if ((cls !== 1 && cls !== 2) || (enc !== 1 && enc !== 2)) return undefined;
  const bits = cls === 2 ? 64 : 32;
  const le = enc === 1;
  const u16 = (o: number) => (le ? data.readUInt16LE(o) : data.readUInt16BE(o));
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const word = (o: number): bigint =>
    bits === 64 ? (le ? data.readBigUInt64LE(o) : data.readBigUInt64BE(o)) : BigInt(u32(o));
  if (bits === 64 && data.length < 64) return undefined;
  const shoff = Number(word(bits === 64 ? 0x28 : 0x20));
  const shentsize = u16(bits === 64 ? 0x3a : 0x2e);
  const shnum = u16(bits === 64 ? 0x3c : 0x30);
  const shstrndx = u16(bits === 64 ? 0x3e : 0x32);
  const minEntry = bits === 64 ? 64 : 40;
  if (
    shnum === 0 ||
    shnum > MAX_SECTIONS ||
    shentsize < minEntry ||
    shoff + shnum * shentsize > data.length
  ) {
    return { bits, littleEndian: le, sections: [] };
  }
  const raw: (ElfSection & { nameOffset: number })[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const offset = Number(word(bits === 64 ? o + 0x18 : o + 0x10));
    const size = Number(word(bits === 64 ? o + 0x20 : o + 0x14));
    raw.push({
      name: '',
      nameOffset: u32(o),
      type: u32(o + 4),
      addr: word(bits === 64 ? o + 0x10 : o + 0x0c),
      offset,
      size,
    });
  }
  const strtab = raw[shstrndx];
  const sections = raw.map(({ nameOffset, ...s }) => {
    let name = '';
    if (strtab !== undefined && strtab.offset + nameOffset < data.length && nameOffset < strtab.size) {
      const start = strtab.offset + nameOffset;
      const end = data.indexOf(0, start);
      name = data.toString('latin1', start, end < 0 ? Math.min(data.length, start + 256) : end);
    }
    return { ...s, name };
  });
  return { bits, littleEndian: le, sections };
}

/** A section's bytes, or undefined when absent, NOBITS or out of the file's bounds. */
export function sectionData(data: Buffer, elf: ElfFile, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (s === undefined || s.type === SHT_NOBITS || s.offset + s.size > data.length) return undefined;
  return data.subarray(s.offset, s.offset + s.size);
}

/** Maps a virtual address to a file offset through the section table. */
export function addressToOffset(elf: ElfFile, addr: bigint): number | undefined {
  for (const s of elf.sections) {
    if (s.type === SHT_NOBITS || s.addr === 0n) continue;
    if (addr >= s.addr && addr < s.addr + BigInt(s.size)) return s.offset + Number(addr - s.addr);
  }
  return undefined;
}
