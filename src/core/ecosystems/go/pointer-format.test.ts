import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostContext } from '../npm/test-support/host-fs.js';
import { parseGoBinary } from './parse-go-binary.js';
import { goVersionM } from './test-support/go-version-m.js';

/**
 * Go before 1.18 stored two pointers to Go string headers after the build-info magic. No such
 * toolchain is in Debian 12, so this builds a minimal ELF64 laid out as the ELF spec and Go's
 * debug/buildinfo describe it: sections .go.buildinfo (header), .data (string headers + bytes).
 */
function pointerFormatElf(goVersion: string, modinfo: Buffer, bigEndian = false): Buffer {
  // One PT_LOAD maps the whole file at BASE, so every address is BASE + file offset.
  const BASE = 0x400000n;
  const buildinfoOff = 64 + 56; // after the ELF header and one program header
  const dataOff = buildinfoOff + 32;
  const DATA_ADDR = BASE + BigInt(dataOff);
  const u64 = (v: bigint) => {
    const b = Buffer.alloc(8);
    if (bigEndian) b.writeBigUInt64BE(v);
    else b.writeBigUInt64LE(v);
    return b;
  };
  const version = Buffer.from(goVersion);
  const data = Buffer.concat([
    u64(DATA_ADDR + 32n),
    u64(BigInt(version.length)), // string header: version
    u64(DATA_ADDR + 32n + BigInt(version.length)),
    u64(BigInt(modinfo.length)), // string header: modinfo
    version,
    modinfo,
  ]);
  const header = Buffer.concat([
    Buffer.from('\xff Go buildinf:', 'latin1'),
    Buffer.from([8, bigEndian ? 1 : 0]),
    u64(DATA_ADDR),
    u64(DATA_ADDR + 16n),
  ]);
  const shstrtab = Buffer.from('\0.go.buildinfo\0.data\0.shstrtab\0');
  const strOff = dataOff + data.length;
  const shoff = Math.ceil((strOff + shstrtab.length) / 8) * 8;
  const out = Buffer.alloc(shoff + 4 * 64);
  out.write('\x7fELF', 0, 'latin1');
  out[4] = 2; // 64-bit
  out[5] = bigEndian ? 2 : 1;
  out[6] = 1;
  const w16 = (v: number, o: number) => (bigEndian ? out.writeUInt16BE(v, o) : out.writeUInt16LE(v, o));
  const w32 = (v: number, o: number) => (bigEndian ? out.writeUInt32BE(v, o) : out.writeUInt32LE(v, o));
  const w64 = (v: bigint, o: number) => (bigEndian ? out.writeBigUInt64BE(v, o) : out.writeBigUInt64LE(v, o));
  w16(2, 0x10); // ET_EXEC
  w16(bigEndian ? 43 : 62, 0x12); // SPARC V9 / x86-64
  w32(1, 0x14);
  w64(64n, 0x20); // e_phoff
  w64(BigInt(shoff), 0x28);
  w16(64, 0x34);
  w16(56, 0x36);
  w16(1, 0x38);
  w16(64, 0x3a);
  w16(4, 0x3c);
  w16(3, 0x3e);
  // PT_LOAD, readable, covering the whole file
  w32(1, 64);
  w32(4, 68);
  w64(0n, 72);
  w64(BASE, 80);
  w64(BASE, 88);
  w64(BigInt(out.length), 96);
  w64(BigInt(out.length), 104);
  w64(0x1000n, 112);
  header.copy(out, buildinfoOff);
  data.copy(out, dataOff);
  shstrtab.copy(out, strOff);
  const section = (i: number, name: number, type: number, addr: bigint, offset: number, size: number) => {
    const o = shoff + i * 64;
    w32(name, o);
    w32(type, o + 4);
    w64(addr, o + 0x10);
    w64(BigInt(offset), o + 0x18);
    w64(BigInt(size), o + 0x20);
  };
  section(1, 1, 1, BASE + BigInt(buildinfoOff), buildinfoOff, header.length);
  section(2, 15, 1, DATA_ADDR, dataOff, data.length);
  section(3, 21, 3, 0n, strOff, shstrtab.length);
  return out;
}

/** modinfo as the Go linker embeds it: 16-byte sentinels around the text. */
function withSentinels(text: string): Buffer {
  return Buffer.concat([
    Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex'),
    Buffer.from(text),
    Buffer.from('f932433186182072008242104116d8f2', 'hex'),
  ]);
}

const MODINFO =
  'path\texample.com/old/cmd\nmod\texample.com/old\tv1.0.0\th1:abc=\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:def=\n';

describe('Go build info, pre-1.18 pointer format', () => {
  it.each([
    ['little-endian', false],
    ['big-endian', true],
  ])('%s: equals go version -m on the same file', async (_label, bigEndian) => {
    const elf = pointerFormatElf('go1.16.15', withSentinels(MODINFO), bigEndian);
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-goold-'));
    try {
      const path = join(dir, 'old');
      await writeFile(path, elf);
      await chmod(path, 0o755);
      const truth = goVersionM(path);
      expect(truth.modules).toEqual(['example.com/old@v1.0.0', 'github.com/pkg/errors@v0.9.1']);
      const result = await parseGoBinary({ path, contents: elf }, hostContext());
      expect(result.problems).toEqual([]);
      const ours = result.packages.filter((p) => p.name !== 'stdlib');
      expect(ours.map((p) => `${p.name}@${p.version}`).sort()).toEqual(truth.modules);
      expect(`go${result.packages.find((p) => p.name === 'stdlib')?.version}`).toBe(truth.goVersion);
      expect(ours[0]?.metadata).toMatchObject({ mainPackage: truth.path, h1Digest: 'h1:abc=' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('string headers pointing outside the file yield nothing and do not throw', async () => {
    const elf = pointerFormatElf('go1.16.15', withSentinels(MODINFO));
    const magic = elf.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    elf.writeBigUInt64LE(0xdead0000n, magic + 16);
    const result = await parseGoBinary({ path: '/usr/bin/old', contents: elf }, hostContext());
    expect(result.packages).toEqual([]);
  });
});
