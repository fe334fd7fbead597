/**
 * Builds real rpm databases for tests: tiny packages made with rpmbuild from spec files,
 * recorded with `rpm -i --justdb` into a SQLite rpmdb, then copied into a Berkeley DB hash
 * file written by Berkeley DB's own db5.3_load (as rpm <= 4.15 stored it), which rpm's bdb_ro
 * back-end reads back. Everything lives under one temp dir removed by cleanup().
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

export interface RpmDbFixture {
  dir: string;
  sqliteDir: string;
  bdbDir: string;
  /** The same Berkeley DB file written big-endian, as rpm on s390x stores it. */
  bdbBeDir: string;
  /** Hand-built NDB Packages.db holding the same header blobs (Debian's rpm has no NDB back-end). */
  ndbDir: string;
  cleanup(): void;
}

const SPECS: Record<string, string> = {
  'alpha.spec': `Name: alpha
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: alpha
License: MIT AND (GPL-2.0-or-later OR BSD-3-Clause)
Vendor: Portcullis Test
Requires: beta >= 1.0, /bin/sh
%description
alpha
%package libs
Summary: alpha libraries
License: GPLv2+ and LGPLv2+
%description libs
libs
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/alpha %{buildroot}/usr/lib/alpha
echo hi > %{buildroot}/usr/bin/alpha
echo c > %{buildroot}/etc/alpha/alpha.conf
echo l > %{buildroot}/usr/lib/alpha/libalpha.so
%files
/usr/bin/alpha
%config /etc/alpha/alpha.conf
%files libs
/usr/lib/alpha/libalpha.so
`,
  'beta.spec': `Name: beta
Version: 0.9~rc1
Release: 1
Summary: beta
License: Apache-2.0
BuildArch: noarch
Provides: beta-virtual
%description
beta
%install
mkdir -p %{buildroot}/usr/share/beta
echo d > %{buildroot}/usr/share/beta/data.txt
%files
/usr/share/beta/data.txt
`,
};

export async function buildRpmDb(): Promise<RpmDbFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rpmdb-'));
  const sqliteDir = join(dir, 'sqlite');
  const bdbDir = join(dir, 'bdb');
  const ndbDir = join(dir, 'ndb');
  const bdbBeDir = join(dir, 'bdb-be');
  mkdirSync(bdbBeDir);
  mkdirSync(sqliteDir);
  mkdirSync(bdbDir);
  mkdirSync(ndbDir);
  const rpms = buildRpms(SPECS, dir, 'top');
  execFileSync('rpm', ['-i', '--justdb', '--nodeps', '--dbpath', sqliteDir, ...rpms], { stdio: 'ignore' });
  const rows = await sqliteRows(join(sqliteDir, 'rpmdb.sqlite'));
  writeBdb(rows, join(bdbDir, 'Packages'), dir, 'le');
  writeBdb(rows, join(bdbBeDir, 'Packages'), dir, 'be');
  writeFileSync(join(ndbDir, 'Packages.db'), ndbFile(rows));
  return {
    dir,
    sqliteDir,
    bdbDir,
    bdbBeDir,
    ndbDir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The alpha, alpha-libs and beta packages as .rpm files: what buildRpmDb records. */
export function buildFixtureRpms(dir: string): string[] {
  return buildRpms(SPECS, dir, 'top');
}

/** Builds every spec (file name → text) with rpmbuild under `dir/<topName>`; returns the .rpm paths. */
export function buildRpms(specs: Record<string, string>, dir: string, topName: string): string[] {
  const top = join(dir, topName);
  for (const [name, text] of Object.entries(specs)) {
    writeFileSync(join(dir, name), text);
    execFileSync(
      'rpmbuild',
      ['-bb', '--define', `_topdir ${top}`, '--define', '_build_id_links none', join(dir, name)],
      { stdio: 'ignore' },
    );
  }
  const rpms: string[] = [];
  for (const arch of readdirSync(join(top, 'RPMS'))) {
    for (const f of readdirSync(join(top, 'RPMS', arch))) rpms.push(join(top, 'RPMS', arch, f));
  }
  return rpms;
}

export async function sqliteRows(sqlitePath: string): Promise<[number, Buffer][]> {
  const require = createRequire(import.meta.url);
  const SQL = await initSqlJs({ locateFile: (f: string) => require.resolve(`sql.js/dist/${f}`) });
  const db = new SQL.Database(readFileSync(sqlitePath));
  const rows = db.exec('SELECT hnum, blob FROM Packages')[0]?.values ?? [];
  db.close();
  return rows.map(([hnum, blob]) => [Number(hnum), Buffer.from(blob as Uint8Array)]);
}

/** Copies Packages rows into a Berkeley DB hash file, keyed by header number in the file's byte order. */
export function writeBdb(rows: [number, Buffer][], target: string, dir: string, order: 'le' | 'be'): void {
  const u32 = (n: number): string => {
    const b = Buffer.alloc(4);
    if (order === 'le') b.writeUInt32LE(n);
    else b.writeUInt32BE(n);
    return b.toString('hex');
  };
  const max = Math.max(...rows.map((r) => r[0]));
  // Key 0 is rpm's instance counter; rpm's reader expects it to be present.
  const lorder = `db_lorder=${order === 'le' ? 1234 : 4321}`;
  const lines = [
    'VERSION=3',
    'format=bytevalue',
    'type=hash',
    lorder,
    'HEADER=END',
    ` ${u32(0)}`,
    ` ${u32(max + 1)}`,
  ];
  for (const [hnum, blob] of rows) lines.push(` ${u32(hnum)}`, ` ${blob.toString('hex')}`);
  lines.push('DATA=END', '');
  const dump = join(dir, `packages-${order}.dump`);
  writeFileSync(dump, lines.join('\n'));
  execFileSync('db5.3_load', ['-f', dump, target], { stdio: 'ignore' });
}

/**
 * An NDB Packages.db laid out as rpm's lib/backend/ndb/rpmpkg.c writes it: header and one slot
 * page, then each blob ("BlbS", index, checksum, length, data) padded to 16-byte blocks. The
 * checksum and trailer are left zero: readers of the layout do not depend on them.
 */
export function ndbFile(rows: [number, Buffer][]): Buffer {
  const page = Buffer.alloc(4096);
  page.write('RpmP', 0, 'latin1');
  page.writeUInt32LE(0, 4);
  page.writeUInt32LE(1, 8);
  page.writeUInt32LE(1, 12);
  for (let at = 32; at < 4096; at += 16) page.write('Slot', at, 'latin1');
  const blobs: Buffer[] = [];
  let block = 4096 / 16;
  rows.forEach(([hnum, blob], i) => {
    const size = Math.ceil((16 + blob.length + 12) / 16) * 16;
    const b = Buffer.alloc(size);
    b.write('BlbS', 0, 'latin1');
    b.writeUInt32LE(hnum, 4);
    b.writeUInt32LE(blob.length, 12);
    blob.copy(b, 16);
    const slot = 32 + i * 16;
    page.writeUInt32LE(hnum, slot + 4);
    page.writeUInt32LE(block, slot + 8);
    page.writeUInt32LE(size / 16, slot + 12);
    blobs.push(b);
    block += size / 16;
  });
  return Buffer.concat([page, ...blobs]);
}

/** `rpm -q` against a database directory, with the given back-end. */
export function rpmQuery(dbDir: string, backend: 'sqlite' | 'bdb_ro', args: string[]): string {
  return execFileSync('rpm', ['--dbpath', dbDir, '--define', `_db_backend ${backend}`, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}
