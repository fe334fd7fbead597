/**
 * Parsers for the rpm package database in its back-ends: SQLite (rpm >= 4.16, Fedora 33+,
 * RHEL 9), Berkeley DB hash (RHEL/CentOS <= 8, Amazon Linux 2) and NDB (SUSE). All store the
 * same header blobs; a database that cannot be read, or a corrupt header, becomes a problem.
 */
import { describeError } from '../../errors.js';
import type { CatalogerParser, FileInput, ParseContext, ParsedPackage, ParseResult } from '../types.js';
import { readBdbRecords } from './bdb.js';
import { parseHeader } from './header.js';
import { readNdbRecords } from './ndb.js';
import { headerToPackage } from './package.js';
import { rpmDependencyEdges } from './relationships.js';
import { readSqliteRecords, type DbRecord } from './sqlite.js';

const DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'] as const;

export const rpmSqliteParser: CatalogerParser = {
  globs: DB_DIRS.map((d) => `${d}/rpmdb.sqlite`),
  parse: (file, context) => parseDatabase(file, context, () => readSqliteRecords(file.contents, file.path)),
};

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
