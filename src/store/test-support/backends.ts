/** The two stores a store test runs on: embedded PGlite and a real PostgreSQL server. */
import { startPostgres } from '../../../test/harness/postgres.js';
import { openPglite, openPostgres, type Sql } from '../sql.js';

export type OpenStore = () => Promise<{ db: Sql; stop: () => Promise<void> }>;

/** For `describe.each`: [name, open] of each store, unmigrated; `stop` closes it (and its server). */
export const STORE_BACKENDS: [string, OpenStore][] = [
  [
    'PGlite',
    async () => {
      const db = await openPglite();
      return { db, stop: () => db.close() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const server = await startPostgres();
      const db = await openPostgres(server.url);
      return { db, stop: async () => (await db.close(), await server.stop()) };
    },
  ],
];
