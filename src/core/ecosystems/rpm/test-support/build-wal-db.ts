/**
 * A real rpm SQLite database caught in WAL state, as an image layer snapshotted mid-build holds
 * it: rpmdb.sqlite still at its last checkpoint, newer transactions only in rpmdb.sqlite-wal.
 *
 * rpm checkpoints on close (`PRAGMA wal_checkpoint = TRUNCATE`), so the log is kept from being
 * copied back by a second connection, a `sqlite3` shell holding a read transaction opened
 * before rpm writes. A checkpoint never copies frames newer than the oldest reader's snapshot,
 * and a snapshot taken before any frame existed pins every frame: rpm's closing checkpoint
 * gives up after its busy timeout (about 10 s) and the log stays whole. It also cannot be
 * restarted while that reader lives, so each rpm run appends to it, and the log after the
 * first run is a prefix of the final one. Ground truth is `rpm -qa`, which recovers the log
 * through SQLite itself.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildFixtureRpms, buildRpms } from './build-rpmdb.js';

export interface WalDbFixture {
  /** rpmdb.sqlite after alpha, alpha-libs and beta 0.9~rc1 were installed and checkpointed. */
  database: Buffer;
  /** The log after `rpm -i gamma`. */
  walAfterFirst: Buffer;
  /** The log after that and `rpm -U delta beta-1.0` (beta 0.9~rc1 erased in the same transaction). */
  wal: Buffer;
  /** The database file as it was when the final log was copied (unchanged if the hold worked). */
  databaseWithFinalLog: Buffer;
  /**
   * A later layer's files: rpm opened the logged database, erased gamma and closed cleanly,
   * checkpointing the log into the database and truncating it to 0 bytes.
   */
  afterErasingGamma: { database: Buffer; wal: Buffer };
  cleanup(): void;
}

const noarch = (name: string, version: string) => `Name: ${name}
Version: ${version}
Release: 1
Summary: ${name}
License: MIT
BuildArch: noarch
%description
${name}
%install
mkdir -p %{buildroot}/usr/share/${name}
echo ${version} > %{buildroot}/usr/share/${name}/version.txt
%files
/usr/share/${name}/version.txt
`;

const LATER_SPECS: Record<string, string> = {
  'gamma.spec': noarch('gamma', '3.0'),
  'delta.spec': noarch('delta', '4.1'),
  'beta-next.spec': noarch('beta', '1.0'),
};

const rpm = (dbDir: string, args: string[]) =>
  execFileSync('rpm', ['--dbpath', dbDir, '--justdb', '--nodeps', ...args], { stdio: 'ignore' });

export async function buildWalDb(): Promise<WalDbFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rpmwal-'));
  try {
    return await holdLogWhileInstalling(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function holdLogWhileInstalling(dir: string): Promise<WalDbFixture> {
  const live = join(dir, 'live');
  mkdirSync(live);
  const dbPath = join(live, 'rpmdb.sqlite');
  const walPath = `${dbPath}-wal`;
  const later = buildRpms(LATER_SPECS, dir, 'later');
  const pick = (prefix: string) => later.filter((p) => p.includes(`/${prefix}-`));
  rpm(live, ['-i', ...buildFixtureRpms(dir)]);
  const database = readFileSync(dbPath);

  const reader = spawn('sqlite3', [dbPath], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => reader.once('exit', () => resolve()));
  try {
    // `.once` sends the marker query's output to a file closed right after it: the file's
    // existence proves the read transaction holds its snapshot (stdout to a pipe is buffered).
    const marker = join(dir, 'reader-holds');
    reader.stdin.write(`BEGIN;\nSELECT count(*) FROM Packages;\n.once ${marker}\nSELECT 'held';\n`);
    for (let i = 0; !existsSync(marker) || !readFileSync(marker, 'utf8').includes('held'); i++) {
      if (i > 200) throw new Error('sqlite3 reader did not start');
      await sleep(50);
    }
    rpm(live, ['-i', ...pick('gamma')]);
    const walAfterFirst = readFileSync(walPath);
    rpm(live, ['-U', ...pick('delta'), ...pick('beta')]);
    const wal = readFileSync(walPath);
    const databaseWithFinalLog = readFileSync(dbPath);
    const next = join(dir, 'next');
    mkdirSync(next);
    writeFileSync(join(next, 'rpmdb.sqlite'), databaseWithFinalLog);
    writeFileSync(join(next, 'rpmdb.sqlite-wal'), wal);
    rpm(next, ['-e', 'gamma']);
    const afterErasingGamma = {
      database: readFileSync(join(next, 'rpmdb.sqlite')),
      wal: readFileSync(join(next, 'rpmdb.sqlite-wal')),
    };
    return {
      database,
      walAfterFirst,
      wal,
      databaseWithFinalLog,
      afterErasingGamma,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    reader.stdin.end('ROLLBACK;\n');
    await exited;
  }
}

/**
 * `rpm -qa` over these bytes, as (name, version-release, arch) lines: rpm opens the copy with
 * SQLite, which recovers the log exactly as it does on a real system.
 */
export function rpmQueryAll(database: Buffer, wal: Buffer | undefined): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rpmqa-'));
  try {
    writeFileSync(join(dir, 'rpmdb.sqlite'), database);
    if (wal) writeFileSync(join(dir, 'rpmdb.sqlite-wal'), wal);
    const out = execFileSync(
      'rpm',
      ['--dbpath', dir, '-qa', '--qf', '%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return out
      .split('\n')
      .filter((l) => l !== '')
      .sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A real log written by the sqlite3 shell with 1024-byte pages (rpm's are 4096). */
export function walWithPageSize1024(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-wal1k-'));
  try {
    const db = join(dir, 'small.db');
    // persist_wal keeps the log file (with its frames) after the shell closes the database.
    execFileSync(
      'sqlite3',
      [
        db,
        'PRAGMA page_size=1024;',
        'PRAGMA journal_mode=WAL;',
        '.filectrl persist_wal 1',
        'CREATE TABLE t(x);',
        'INSERT INTO t VALUES (1);',
      ],
      { stdio: 'ignore' },
    );
    return readFileSync(`${db}-wal`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
