/**
 * Parsers for the rpm package database in its back-ends: SQLite (rpm >= 4.16, Fedora 33+,
 * RHEL 9), Berkeley DB hash (RHEL/CentOS <= 8, Amazon Linux 2) and NDB (SUSE). All store the
 * same header blobs; a database that cannot be read, or a corrupt header, becomes a problem.
 * The SQLite database is read together with the write-ahead log beside it (sqlite-wal.ts).
 */
import { describeError } from '../../errors.js';
import type {
  CatalogerParser,
  FileInput,
  FileResolver,
  ParseContext,
  ParsedPackage,
  ParseResult,
} from '../types.js';
import { readBdbRecords } from './bdb.js';
import { parseHeader } from './header.js';
import { readNdbRecords } from './ndb.js';
import { headerToPackage } from './package.js';
import { rpmDependencyEdges } from './relationships.js';
import { readSqliteRecords, type DbRecord } from './sqlite.js';
import { applyWal } from './sqlite-wal.js';

const DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'] as const;

export const rpmSqliteParser: CatalogerParser = {
  globs: DB_DIRS.map((d) => `${d}/rpmdb.sqlite`),
  // rpm writes through the log; packages installed since the last checkpoint are only there.
  prefetch: DB_DIRS.map((d) => `${d}/rpmdb.sqlite-wal`),
  siblingsDecidePackages: true,
  parse: async (file, context) => {
    const { database, walPath, problems } = await withWriteAheadLog(file, context.resolver);
    const result = await parseDatabase({ ...file, contents: database }, context, () =>
      readSqliteRecords(database, file.path),
    );
    result.problems.unshift(...problems);
    if (walPath !== undefined) {
      for (const pkg of result.packages) pkg.locations?.push({ path: walPath, annotation: 'supporting' });
    }
    return result;
  },
};

/**
 * The database bytes with the committed frames of `rpmdb.sqlite-wal` applied. An absent or
 * empty log leaves the bytes as they are; a log that cannot be used is a problem, and the
 * database is then read as rpm would have seen it at its last checkpoint.
 */
async function withWriteAheadLog(
  file: FileInput,
  resolver: FileResolver,
): Promise<{ database: Buffer; walPath?: string; problems: string[] }> {
  const walPath = `${file.path}-wal`;
  const wal = await resolver.read(walPath);
  if (wal === undefined) {
    // Present but not handed over: larger than the cataloger's size cap.
    const skipped = (await resolver.glob(walPath)).length > 0;
    const problems = skipped
      ? [
          `${walPath}: not read (over the size cap); packages written since the last checkpoint may be missing`,
        ]
      : [];
    return { database: file.contents, problems };
  }
  try {
    const replay = applyWal(file.contents, wal, walPath);
    return replay.framesApplied > 0
      ? { database: replay.database, walPath, problems: [] }
      : { database: file.contents, problems: [] };
  } catch (err) {
    return {
      database: file.contents,
      problems: [`${describeError(err)}; database read without its write-ahead log`],
    };
  }
}

export const rpmBdbParser: CatalogerParser = {
  globs: DB_DIRS.map((d) => `${d}/Packages`),
  parse: (file, context) =>
    parseDatabase(file, context, async () => readBdbRecords(file.contents, file.path)),
};

export const rpmNdbParser: CatalogerParser = {
  globs: DB_DIRS.map((d) => `${d}/Packages.db`),
  parse: (file, context) =>
    parseDatabase(file, context, async () => readNdbRecords(file.contents, file.path)),
};

async function parseDatabase(
  file: FileInput,
  context: ParseContext,
  read: () => Promise<DbRecord[]>,
): Promise<ParseResult> {
  const problems: string[] = [];
  if (file.contents.length === 0) return { packages: [], relationships: [], problems };
  let records: DbRecord[];
  try {
    records = await read();
  } catch (err) {
    return { packages: [], relationships: [], problems: [describeError(err)] };
  }
  const packages: ParsedPackage[] = [];
  const location = file.layerDiffId
    ? { path: file.path, layerDiffId: file.layerDiffId, annotation: 'primary' as const }
    : { path: file.path, annotation: 'primary' as const };
  for (const record of records) {
    const where = `${file.path} record ${record.key}`;
    try {
      const pkg = headerToPackage(parseHeader(record.blob, where), context);
      if (typeof pkg === 'string') {
        problems.push(`${where}: ${pkg}`);
        continue;
      }
      pkg.locations = [location];
      packages.push(pkg);
    } catch (err) {
      problems.push(describeError(err));
    }
  }
  return { packages, relationships: rpmDependencyEdges(packages), problems };
}
