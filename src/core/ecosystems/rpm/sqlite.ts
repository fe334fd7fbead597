/**
 * Header blobs from an rpm SQLite database (rpm >= 4.16, `Packages(hnum, blob)`). sql.js is
 * SQLite compiled to WebAssembly: no native build, and it reads from a byte array, so the
 * database is never opened on disk and nothing is written. The bytes handed here already have
 * the committed frames of the `-wal` file beside the database applied (sqlite-wal.ts).
 */
import { createRequire } from 'node:module';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { PortcullisError } from '../../errors.js';

let engine: Promise<SqlJsStatic> | undefined;

function sqlite(): Promise<SqlJsStatic> {
  const require = createRequire(import.meta.url);
  engine ??= initSqlJs({ locateFile: (file: string) => require.resolve(`sql.js/dist/${file}`) });
  return engine;
}

export interface DbRecord {
  key: number;
  blob: Buffer;
}

export async function readSqliteRecords(bytes: Buffer, path: string): Promise<DbRecord[]> {
  const SQL = await sqlite();
  let db;
  try {
    db = new SQL.Database(bytes);
    const result = db.exec('SELECT hnum, blob FROM Packages ORDER BY hnum');
    const rows = result[0]?.values ?? [];
    return rows.map(([hnum, blob]) => {
      if (typeof hnum !== 'number' || !(blob instanceof Uint8Array)) {
        throw new PortcullisError('CORRUPT_DATABASE', `${path}: Packages row has unexpected column types`);
      }
      return { key: hnum, blob: Buffer.from(blob) };
    });
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError('CORRUPT_DATABASE', `${path}: not a readable rpm SQLite database`, {
      cause: err,
      details: { path },
    });
  } finally {
    db?.close();
  }
}
