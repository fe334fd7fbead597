/** Bad input for the rpm parsers: each case ends as a recorded problem, never an exception. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import type { FileResolver, ParseContext } from '../types.js';
import { readBdbRecords } from './bdb.js';
import { parseHeader } from './header.js';
import { readNdbRecords } from './ndb.js';
import { rpmBdbParser, rpmNdbParser, rpmSqliteParser } from './parse-rpmdb.js';
import { buildRpmDb, ndbFile, type RpmDbFixture } from './test-support/build-rpmdb.js';

const noFiles: FileResolver = { read: async () => undefined, glob: async () => [] };
const context: ParseContext = { resolver: noFiles, foundBy: 'rpm-db@1' };
const garbage = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 2654435761) % 251));

/** A header blob built by hand from the format: il, dl, 16-byte entries, data. */
function blob(entries: [tag: number, type: number, offset: number, count: number][], data: Buffer): Buffer {
  const head = Buffer.alloc(8 + entries.length * 16);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(data.length, 4);
  entries.forEach(([tag, type, offset, count], i) => {
    head.writeInt32BE(tag, 8 + i * 16);
    head.writeUInt32BE(type, 12 + i * 16);
    head.writeInt32BE(offset, 16 + i * 16);
    head.writeUInt32BE(count, 20 + i * 16);
  });
  return Buffer.concat([head, data]);
}

let fx: RpmDbFixture;
beforeAll(async () => {
  fx = await buildRpmDb();
}, 120_000);
afterAll(() => fx?.cleanup());

describe('rpm header blob', () => {
  it('reads a hand-built header', () => {
    const h = parseHeader(
      blob(
        [
          [1000, 6, 0, 1],
          [1001, 6, 4, 1],
          [1003, 4, 8, 1],
        ],
        Buffer.from('foo\u00001.0\u0000\u0000\u0000\u0000\u0007'),
      ),
      'x',
    );
    expect([h.string(1000), h.string(1001), h.number(1003)]).toEqual(['foo', '1.0', 7]);
  });

  const BAD: [string, Buffer][] = [
    ['shorter than its preamble', Buffer.from([0, 0, 0])],
    ['zero entries', blob([], Buffer.alloc(0))],
    ['more entries than rpm allows', Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])],
    ['data length past the blob', blob([[1000, 6, 0, 1]], Buffer.from('foo\u0000')).subarray(0, 26)],
    ['offset outside the data', blob([[1000, 6, 100, 1]], Buffer.from('foo\u0000'))],
    ['negative offset', blob([[1000, 6, -4, 1]], Buffer.from('foo\u0000'))],
    ['string without NUL', blob([[1000, 6, 0, 1]], Buffer.from('foo!'))],
    ['int32 array past the end', blob([[1003, 4, 0, 3]], Buffer.alloc(8))],
    ['unknown type', blob([[1000, 42, 0, 1]], Buffer.alloc(4))],
  ];
  for (const [name, bytes] of BAD) {
    it(`rejects a header with ${name} as CORRUPT_DATABASE`, () => {
      let caught: unknown;
      try {
        parseHeader(bytes, '/var/lib/rpm/rpmdb.sqlite record 7');
      } catch (err) {
        caught = err;
      }
      expect(isPortcullisError(caught, 'CORRUPT_DATABASE')).toBe(true);
      expect((caught as Error).message).toContain('record 7');
    });
  }
});

describe('rpm databases with bad content', () => {
  for (const parser of [rpmSqliteParser, rpmBdbParser, rpmNdbParser]) {
    const path = parser.globs[0] as string;
    it(`records garbage in ${path} as a problem`, async () => {
      const result = await parser.parse({ path, contents: garbage }, context);
      expect(result.packages).toEqual([]);
      expect(result.problems).toEqual([expect.stringContaining(path)]);
    });
    it(`returns nothing for an empty ${path}`, async () => {
      expect(await parser.parse({ path, contents: Buffer.alloc(0) }, context)).toEqual({
        packages: [],
        relationships: [],
        problems: [],
      });
    });
  }

  it('records a truncated SQLite database as a problem', async () => {
    const bytes = readFileSync(join(fx.sqliteDir, 'rpmdb.sqlite'));
    const result = await rpmSqliteParser.parse(
      { path: '/var/lib/rpm/rpmdb.sqlite', contents: bytes.subarray(0, 3000) },
      context,
    );
    expect(result.packages).toEqual([]);
    expect(result.problems.length).toBe(1);
  });

  it('records a truncated Berkeley DB file as a problem', async () => {
    const bytes = readFileSync(join(fx.bdbDir, 'Packages'));
    const result = await rpmBdbParser.parse(
      { path: '/var/lib/rpm/Packages', contents: bytes.subarray(0, bytes.length - 4096) },
      context,
    );
    expect(result.packages.length).toBeLessThan(3);
    expect(result.problems.length).toBeGreaterThan(0);
  });

  it('stops at an overflow chain that loops back on itself', () => {
    const bytes = Buffer.from(readFileSync(join(fx.bdbDir, 'Packages')));
    const pageSize = bytes.readUInt32LE(20);
    let looped = 0;
    for (let base = pageSize; base < bytes.length; base += pageSize) {
      if (bytes[base + 25] === 7) {
        bytes.writeUInt32LE(base / pageSize, base + 16);
        looped++;
      }
    }
    expect(looped).toBeGreaterThan(0);
    let caught: unknown;
    try {
      readBdbRecords(bytes, '/var/lib/rpm/Packages');
    } catch (err) {
      caught = err;
    }
    expect(isPortcullisError(caught, 'CORRUPT_DATABASE')).toBe(true);
  });

  it('keeps good headers when one record in the SQLite database is corrupt', async () => {
    const initSqlJs = (await import('sql.js')).default;
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const SQL = await initSqlJs({ locateFile: (f: string) => require.resolve(`sql.js/dist/${f}`) });
    const db = new SQL.Database(readFileSync(join(fx.sqliteDir, 'rpmdb.sqlite')));
    db.run("UPDATE Packages SET blob = x'0000000500000010' WHERE hnum = (SELECT MIN(hnum) FROM Packages)");
    const contents = Buffer.from(db.export());
    db.close();
    const result = await rpmSqliteParser.parse({ path: '/var/lib/rpm/rpmdb.sqlite', contents }, context);
    expect(result.packages).toHaveLength(2);
    expect(result.problems).toEqual([
      expect.stringMatching(/^rpm header \/var\/lib\/rpm\/rpmdb.sqlite record \d+: declares/),
    ]);
  });

  const ndbCases: [string, (b: Buffer) => void][] = [
    ['an absurd slot page count', (b) => b.writeUInt32LE(1_000_000, 12)],
    ['a slot pointing past the end', (b) => b.writeUInt32LE(0x0fffffff, 32 + 8)],
    ['a slot pointing into the slot pages', (b) => b.writeUInt32LE(1, 32 + 8)],
    ['a blob with the wrong magic', (b) => b.write('XXXX', 4096, 'latin1')],
    ['a blob longer than its blocks', (b) => b.writeUInt32LE(0x7fffffff, 4096 + 12)],
    ['a slot with a bad magic', (b) => b.write('Slob', 48, 'latin1')],
  ];
  for (const [name, damage] of ndbCases) {
    it(`rejects an NDB file with ${name} as CORRUPT_DATABASE`, () => {
      const bytes = ndbFile([
        [1, Buffer.from('first header')],
        [2, Buffer.from('second header')],
      ]);
      expect(readNdbRecords(bytes, 'ok').map((r) => r.blob.toString())).toEqual([
        'first header',
        'second header',
      ]);
      damage(bytes);
      let caught: unknown;
      try {
        readNdbRecords(bytes, '/usr/lib/sysimage/rpm/Packages.db');
      } catch (err) {
        caught = err;
      }
      expect(isPortcullisError(caught, 'CORRUPT_DATABASE')).toBe(true);
    });
  }
});
