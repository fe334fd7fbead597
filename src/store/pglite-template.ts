/**
 * Fresh in-memory PGlite databases from a template. Creating a PGlite database runs initdb,
 * which costs about 2 s of CPU (measured on the 2-core CI machine) and dominates a short-lived
 * in-memory database's life. The first in-memory database of a process is created normally and
 * its freshly initialised data directory is kept as an uncompressed tar; every later one is
 * unpacked from that tar (about 0.5 s). Databases with a data directory on disk are untouched:
 * they pay initdb once, when the directory is first created.
 */
import { PGlite } from '@electric-sql/pglite';

let template: Promise<Blob> | undefined;

/** A new, empty in-memory database, identical to `PGlite.create()`. */
export async function createMemoryPglite(): Promise<PGlite> {
  if (template) {
    const dump = await template.catch(() => undefined);
    if (dump) return PGlite.create({ loadDataDir: dump });
  }
  const db = await PGlite.create();
  if (!template) {
    // Dumped before anything else touches the database, so the template stays empty.
    template = db.dumpDataDir('none');
    await template.catch(() => {
      template = undefined;
    });
  }
  return db;
}
