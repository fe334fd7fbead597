/**
 * The Berkeley DB reader at scale: 300 records spread over many hash pages, half of them small
 * headers stored inline (H_KEYDATA) and half real headers on overflow pages (H_OFFPAGE). The
 * file is written by db5.3_load; rpm's bdb_ro back-end is the ground truth.
 */
import { join } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileResolver } from '../types.js';
import { rpmBdbParser } from './parse-rpmdb.js';
import { buildRpmDb, rpmQuery, sqliteRows, writeBdb, type RpmDbFixture } from './test-support/build-rpmdb.js';

/** A minimal header (NAME, VERSION, RELEASE, ARCH as STRING entries), built from the format. */
function smallHeader(name: string, version: string, release: string): Buffer {
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let offset = 0;
  for (const [tag, value] of [
    [1000, name],
    [1001, version],
    [1002, release],
    [1022, 'noarch'],
  ] as const) {
    const entry = Buffer.alloc(16);
    entry.writeInt32BE(tag, 0);
    entry.writeUInt32BE(6, 4);
    entry.writeInt32BE(offset, 8);
    entry.writeUInt32BE(1, 12);
    entries.push(entry);
    const bytes = Buffer.from(`${value}\u0000`);
    data.push(bytes);
    offset += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(offset, 4);
  return Buffer.concat([head, ...entries, ...data]);
}

let fx: RpmDbFixture;
let dir: string;
beforeAll(async () => {
  fx = await buildRpmDb();
  const real = await sqliteRows(join(fx.sqliteDir, 'rpmdb.sqlite'));
  const rows: [number, Buffer][] = [];
  for (let i = 1; i <= 300; i++) {
    rows.push([
      i,
      i % 2 ? (real[i % real.length]?.[1] as Buffer) : smallHeader(`small${i}`, '1.0', String(i)),
    ]);
  }
  dir = join(fx.dir, 'many');
  mkdirSync(dir);
  writeBdb(rows, join(dir, 'Packages'), fx.dir, 'le');
}, 120_000);
afterAll(() => fx?.cleanup());

describe('Berkeley DB rpmdb with many records', () => {
  it('returns every record rpm -qa returns', async () => {
    const noFiles: FileResolver = { read: async () => undefined, glob: async () => [] };
    const result = await rpmBdbParser.parse(
      { path: '/var/lib/rpm/Packages', contents: readFileSync(join(dir, 'Packages')) },
      { resolver: noFiles, foundBy: 'rpm-db@1' },
    );
    const expected = rpmQuery(dir, 'bdb_ro', ['-qa', '--qf', '%{NAME}\\t%{VERSION}-%{RELEASE}\\n'])
      .split('\n')
      .filter((l) => l !== '')
      .sort();
    expect(expected).toHaveLength(300);
    expect(result.problems).toEqual([]);
    expect(
      result.packages
        .map((p) => `${p.name}\t${String(p.metadata.version)}-${String(p.metadata.release)}`)
        .sort(),
    ).toEqual(expected);
  });
});
