import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { readAll } from '../partial.js';
import { TarIndex } from './tar-index.js';

let work: string;
const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
const longName = `${longDir}/${'f'.repeat(80)}.txt`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-tar-index-'));
  const src = join(work, 'src');
  await mkdir(join(src, longDir), { recursive: true });
  await writeFile(join(src, 'small.txt'), 'small\n');
  await writeFile(join(src, 'empty'), '');
  await writeFile(join(src, 'big.bin'), Buffer.alloc(1_000_003, 7));
  await writeFile(join(src, longName), 'long name\n');
  await symlink('small.txt', join(src, 'link-to-small'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** GNU tar's own listing: name → data offset (from `-R` block numbers) and size. */
function gnuListing(file: string): Map<string, { offset: number; size: number }> {
  const out = execFileSync('tar', ['--quoting-style=literal', '-tvRf', file], { encoding: 'utf8' });
  const map = new Map<string, { offset: number; size: number }>();
  for (const line of out.split('\n')) {
    const m = /^block (\d+): (\S)\S* \S+\s+(\d+) \S+ \S+ (.+?)(?: -> .*)?$/.exec(line);
    if (m && m[2] === '-') map.set(m[4] as string, { offset: (Number(m[1]) + 1) * 512, size: Number(m[3]) });
  }
  return map;
}

for (const format of ['gnu', 'pax', 'ustar'] as const) {
  describe(`TarIndex on a ${format} tar written by GNU tar`, () => {
    let file: string;
    beforeAll(() => {
      file = join(work, `${format}.tar`);
      const members = format === 'ustar' ? ['small.txt', 'empty', 'big.bin', 'link-to-small'] : ['.'];
      execFileSync('tar', [
        `--format=${format}`,
        '--sort=name',
        '-C',
        join(work, 'src'),
        '-cf',
        file,
        ...members,
      ]);
    });

    it('finds every regular file with the size and content GNU tar reports', async () => {
      const index = await TarIndex.open(file, 'test');
      for (const [name, { size }] of gnuListing(file)) {
        const clean = name.replace(/^\.\//, '');
        expect(index.has(clean), clean).toBe(true);
        expect(index.size(clean)).toBe(size);
        const content = await readAll(index.open(clean), 2_000_000, clean);
        expect(content.equals(await readFile(join(work, 'src', clean)))).toBe(true);
      }
    });

    if (format !== 'ustar') {
      it(`resolves names longer than 100 bytes (${format === 'gnu' ? 'GNU long-name' : 'pax path'} headers)`, async () => {
        const index = await TarIndex.open(file, 'test');
        expect((await readAll(index.open(longName), 100, 'x')).toString()).toBe('long name\n');
        // Members were written as ./name; lookups accept either spelling.
        expect(index.has(`./${longName}`)).toBe(true);
      });
    }

    it('follows a symlink member to its target and serves byte ranges', async () => {
      const index = await TarIndex.open(file, 'test');
      expect((await readAll(index.open('link-to-small'), 100, 'x')).toString()).toBe('small\n');
      expect((await readAll(index.open('small.txt', 1, 3), 100, 'x')).toString()).toBe('mal');
      expect((await readAll(index.open('empty'), 100, 'x')).length).toBe(0);
    });
  });
}

describe('TarIndex on bad input', () => {
  it('refuses a truncated tar with CORRUPT_ARCHIVE naming the file', async () => {
    const file = join(work, 'truncated.tar');
    execFileSync('tar', ['-C', join(work, 'src'), '-cf', file, 'big.bin', 'small.txt']);
    await truncate(file, 600_000);
    const err = await TarIndex.open(file, 'oci-archive:x').catch((e: unknown) => e);
    expect(isPortcullisError(err, 'CORRUPT_ARCHIVE')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/truncated/);
  });

  it('refuses a damaged header (checksum mismatch) with CORRUPT_ARCHIVE', async () => {
    const file = join(work, 'damaged.tar');
    execFileSync('tar', ['-C', join(work, 'src'), '-cf', file, 'small.txt', 'big.bin']);
    const handle = await open(file, 'r+');
    await handle.write(Buffer.from('X'), 0, 1, 1024 + 10); // inside big.bin's header name
    await handle.close();
    const err = await TarIndex.open(file, 'test').catch((e: unknown) => e);
    expect(isPortcullisError(err, 'CORRUPT_ARCHIVE')).toBe(true);
    expect((err as Error).message).toMatch(/checksum/);
  });

  it('refuses a file that is not a tar at all', async () => {
    const file = join(work, 'noise.tar');
    await writeFile(file, Buffer.from('this is not a tar archive\n'.repeat(100)));
    const err = await TarIndex.open(file, 'test').catch((e: unknown) => e);
    expect(isPortcullisError(err, 'CORRUPT_ARCHIVE')).toBe(true);
  });

  it('reports a missing file as NOT_FOUND and a missing member as NOT_FOUND', async () => {
    const err = await TarIndex.open(join(work, 'nope.tar'), 'test').catch((e: unknown) => e);
    expect(isPortcullisError(err, 'NOT_FOUND')).toBe(true);
    const file = join(work, 'ok.tar');
    execFileSync('tar', ['-C', join(work, 'src'), '-cf', file, 'small.txt']);
    const index = await TarIndex.open(file, 'test');
    expect(() => index.open('../../etc/passwd')).toThrow(/no file/);
  });

  it('stops at the member limit', async () => {
    const file = join(work, 'many.tar');
    execFileSync('tar', ['-C', join(work, 'src'), '-cf', file, 'small.txt', 'empty', 'big.bin']);
    const err = await TarIndex.open(file, 'test', 2).catch((e: unknown) => e);
    expect(isPortcullisError(err, 'CORRUPT_ARCHIVE')).toBe(true);
    expect((err as Error).message).toMatch(/more than 2 members/);
  });
});
