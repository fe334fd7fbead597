/**
 * The rpm SQLite database read with its write-ahead log, against `rpm -qa` over the same bytes
 * (rpm recovers the log through SQLite itself), on a database caught in WAL state by a held
 * reader (test-support/build-wal-db.ts). Damaged logs are compared with what rpm makes of the
 * same damaged bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import type { FileResolver, ParseContext, ParseResult } from '../types.js';
import { rpmSqliteParser } from './parse-rpmdb.js';
import { applyWal, walChecksum } from './sqlite-wal.js';
import {
  buildWalDb,
  rpmQueryAll,
  walWithPageSize1024,
  type WalDbFixture,
} from './test-support/build-wal-db.js';

const DB = '/var/lib/rpm/rpmdb.sqlite';
const WAL = `${DB}-wal`;

let fx: WalDbFixture;
beforeAll(async () => {
  fx = await buildWalDb();
}, 180_000);
afterAll(() => fx?.cleanup());

/** A resolver holding the log (or, with `listedOnly`, listing it without handing it over). */
function resolverWith(wal: Buffer | undefined, listedOnly = false): FileResolver {
  return {
    read: async (path) => (path === WAL && !listedOnly ? wal : undefined),
    glob: async (pattern) => (pattern === WAL && wal !== undefined ? [WAL] : []),
  };
}

async function parse(wal: Buffer | undefined, listedOnly = false): Promise<ParseResult> {
  const context: ParseContext = { resolver: resolverWith(wal, listedOnly), foundBy: 'rpm-db@2' };
  return rpmSqliteParser.parse({ path: DB, contents: fx.database }, context);
}

const rows = (result: ParseResult): string[] =>
  result.packages
    .map(
      (p) =>
        `${p.name}\t${String(p.metadata.version)}-${String(p.metadata.release)}\t${String(p.metadata.architecture)}`,
    )
    .sort();

const pageSize = (wal: Buffer) => wal.readUInt32BE(8);
const frameBytes = (wal: Buffer) => 24 + pageSize(wal);

describe('rpm SQLite database with a write-ahead log', () => {
  it('is a real WAL state: the database file never changed and the log only grew', () => {
    expect(fx.databaseWithFinalLog.equals(fx.database)).toBe(true);
    expect(fx.wal.length).toBeGreaterThan(fx.walAfterFirst.length);
    expect(fx.wal.subarray(0, fx.walAfterFirst.length).equals(fx.walAfterFirst)).toBe(true);
  });

  it('yields the (name, version-release, arch) set rpm -qa reads through the log', async () => {
    const expected = rpmQueryAll(fx.database, fx.wal);
    const result = await parse(fx.wal);
    expect(rows(result)).toEqual(expected);
    expect(result.problems).toEqual([]);
    expect(result.packages.every((p) => p.locations?.some((l) => l.path === WAL))).toBe(true);
  });

  it('misses exactly the packages of the logged transactions without the log', async () => {
    const checkpointed = rpmQueryAll(fx.database, undefined);
    const withoutLog = await parse(undefined);
    expect(rows(withoutLog)).toEqual(checkpointed);
    const logged = rpmQueryAll(fx.database, fx.wal).filter((r) => !checkpointed.includes(r));
    expect(logged).toEqual(['beta\t1.0-1\tnoarch', 'delta\t4.1-1\tnoarch', 'gamma\t3.0-1\tnoarch']);
    expect(checkpointed).toContain('beta\t0.9~rc1-1\tnoarch');
  });

  it('reads the log as it stood after the first transaction', async () => {
    expect(rows(await parse(fx.walAfterFirst))).toEqual(rpmQueryAll(fx.database, fx.walAfterFirst));
  });

  it('reads an empty log (what rpm leaves after its closing checkpoint) or a bare header as no log', async () => {
    for (const wal of [Buffer.alloc(0), fx.wal.subarray(0, 32)]) {
      const result = await parse(wal);
      expect(rows(result)).toEqual(rpmQueryAll(fx.database, undefined));
      expect(result.problems).toEqual([]);
    }
  });

  it('agrees with rpm when the log ends after each commit frame or in the frame after it', async () => {
    const frame = frameBytes(fx.wal);
    const cuts: number[] = [];
    for (let at = 32; at + frame <= fx.wal.length; at += frame) {
      if (fx.wal.readUInt32BE(at + 4) !== 0) cuts.push(at + frame, at + frame + 24 + 1000);
    }
    expect(cuts.length).toBeGreaterThanOrEqual(4);
    for (const cut of cuts) {
      const wal = fx.wal.subarray(0, cut);
      expect(rows(await parse(wal)), `log cut at ${cut}`).toEqual(rpmQueryAll(fx.database, wal));
    }
  });
});

describe('damaged write-ahead logs end where SQLite stops reading them', () => {
  /** The log with the first frame of the second rpm run damaged by `damage(frameOffset)`. */
  const damagedSecondRun = (damage: (wal: Buffer, at: number) => void): Buffer => {
    const wal = Buffer.from(fx.wal);
    damage(wal, fx.walAfterFirst.length);
    return wal;
  };
  const CASES: [string, (wal: Buffer, at: number) => void][] = [
    [
      'a page byte that breaks the checksum chain',
      (wal, at) => wal.writeUInt8(wal.readUInt8(at + 124) ^ 0xff, at + 124),
    ],
    [
      'a salt from another log generation',
      (wal, at) => wal.writeUInt32BE((wal.readUInt32BE(at + 8) + 1) >>> 0, at + 8),
    ],
  ];
  for (const [name, damage] of CASES) {
    it(`applies only the frames before ${name}`, async () => {
      const wal = damagedSecondRun(damage);
      const expected = rpmQueryAll(fx.database, wal);
      expect(expected).toEqual(rpmQueryAll(fx.database, fx.walAfterFirst));
      const result = await parse(wal);
      expect(rows(result)).toEqual(expected);
      expect(result.problems).toEqual([]);
      const replay = applyWal(fx.database, wal, WAL);
      expect(replay.framesApplied).toBe((fx.walAfterFirst.length - 32) / frameBytes(wal));
    });
  }

  it('ignores a final frame cut short', async () => {
    // The log as a crash leaves it: the second run's first frame only partly written.
    const wal = fx.wal.subarray(0, fx.walAfterFirst.length + 100);
    const expected = rpmQueryAll(fx.database, wal);
    expect(expected).toEqual(rpmQueryAll(fx.database, fx.walAfterFirst));
    expect(expected).not.toEqual(rpmQueryAll(fx.database, fx.wal));
    expect(rows(await parse(wal))).toEqual(expected);
    const replay = applyWal(fx.database, wal, WAL);
    expect(replay.framesApplied).toBe((fx.walAfterFirst.length - 32) / frameBytes(wal));
    expect(replay.framesIgnored).toBe(1);
  });

  it('ignores frames that no commit frame closes', async () => {
    const frame = frameBytes(fx.wal);
    let firstCommit = 32;
    while (fx.wal.readUInt32BE(firstCommit + 4) === 0) firstCommit += frame;
    const wal = fx.wal.subarray(0, firstCommit);
    expect(firstCommit).toBeGreaterThan(32);
    const result = await parse(wal);
    expect(rows(result)).toEqual(rpmQueryAll(fx.database, wal));
    expect(rows(result)).toEqual(rpmQueryAll(fx.database, undefined));
    expect(result.problems).toEqual([]);
    expect(applyWal(fx.database, wal, WAL)).toMatchObject({
      framesApplied: 0,
      framesIgnored: (firstCommit - 32) / frame,
    });
  });

  it('reads a log whose checksums were computed big-endian (magic 0x377f0683)', async () => {
    // Same frames, checksums recomputed in the other byte order, as a big-endian host writes them.
    const wal = Buffer.from(fx.wal);
    wal.writeUInt32BE(0x377f0683, 0);
    let sum = walChecksum(wal, 0, 24, true, [0, 0]);
    wal.writeUInt32BE(sum[0], 24);
    wal.writeUInt32BE(sum[1], 28);
    const frame = frameBytes(wal);
    for (let at = 32; at + frame <= wal.length; at += frame) {
      sum = walChecksum(wal, at + 24, at + frame, true, walChecksum(wal, at, at + 8, true, sum));
      wal.writeUInt32BE(sum[0], at + 16);
      wal.writeUInt32BE(sum[1], at + 20);
    }
    expect(rows(await parse(wal))).toEqual(rpmQueryAll(fx.database, fx.wal));
  });
});

describe('unusable write-ahead logs are recorded, and the database is read without them', () => {
  const garbage = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 2654435761) % 251));

  const UNUSABLE: [string, () => Buffer, RegExp][] = [
    ['garbage', () => garbage, /bad magic/],
    ['a log shorter than its header', () => fx.wal.subarray(0, 20), /shorter than a log header/],
    [
      'a damaged header checksum',
      () => Buffer.concat([fx.wal.subarray(0, 16), Buffer.alloc(4, 9), fx.wal.subarray(20)]),
      /header checksum/,
    ],
    [
      'a log written with another page size',
      walWithPageSize1024,
      /page size 1024 differs from the database's 4096/,
    ],
  ];
  for (const [name, wal, reason] of UNUSABLE) {
    it(`records ${name} and reads the checkpointed packages`, async () => {
      const result = await parse(wal());
      expect(rows(result)).toEqual(rpmQueryAll(fx.database, undefined));
      expect(result.problems).toEqual([expect.stringMatching(reason)]);
      expect(result.problems[0]).toContain(WAL);
    });
  }

  it('rpm itself ignores a garbage log the same way', () => {
    expect(rpmQueryAll(fx.database, garbage)).toEqual(rpmQueryAll(fx.database, undefined));
  });

  it('refuses a commit frame claiming a database larger than database and log hold', async () => {
    const wal = Buffer.from(fx.walAfterFirst);
    const frame = frameBytes(wal);
    const last = wal.length - frame;
    wal.writeUInt32BE(0x00ffffff, last + 4);
    // Re-seal the last frame: its checksum continues from the previous frame's stored one.
    const seed: [number, number] = [wal.readUInt32BE(last - frame + 16), wal.readUInt32BE(last - frame + 20)];
    const sum = walChecksum(
      wal,
      last + 24,
      last + frame,
      false,
      walChecksum(wal, last, last + 8, false, seed),
    );
    wal.writeUInt32BE(sum[0], last + 16);
    wal.writeUInt32BE(sum[1], last + 20);
    expect(fx.walAfterFirst.readUInt32BE(last + 4)).toBeGreaterThan(0);
    let caught: unknown;
    try {
      applyWal(fx.database, wal, WAL);
    } catch (err) {
      caught = err;
    }
    expect(isPortcullisError(caught, 'SIZE_LIMIT')).toBe(true);
    const result = await parse(wal);
    expect(rows(result)).toEqual(rpmQueryAll(fx.database, undefined));
    expect(result.problems).toEqual([expect.stringContaining('more than database and log hold')]);
  });

  it('records a log that exists but was not handed over (over the size cap)', async () => {
    const result = await parse(fx.wal, true);
    expect(rows(result)).toEqual(rpmQueryAll(fx.database, undefined));
    expect(result.problems).toEqual([expect.stringContaining(`${WAL}: not read (over the size cap)`)]);
  });
});
