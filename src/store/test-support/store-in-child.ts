/**
 * Run by the store's multi-process tests as a separate process (`node --import tsx`):
 *   migrate <postgres-url>              migrates and prints the ids it applied as JSON
 *   write <data-dir> <writer> <rows>    opens the embedded store (waiting for its lock),
 *                                       migrates and inserts <rows> rows tagged <writer>
 */
import { migrate } from '../migrate.js';
import { openEmbedded } from '../open-embedded.js';
import { openPostgres } from '../sql.js';

const [command, target, writer, rows] = process.argv.slice(2);

if (command === 'migrate' && target) {
  const db = await openPostgres(target);
  try {
    process.stdout.write(`${JSON.stringify(await migrate(db))}\n`);
  } finally {
    await db.close();
  }
} else if (command === 'write' && target && writer && rows) {
  const db = await openEmbedded(target, {
    mode: 'wait',
    timeoutMs: 120_000,
    onWait: (message) => process.stderr.write(`${message}\n`),
  });
  try {
    await migrate(db);
    await db.exec('CREATE TABLE IF NOT EXISTS probe_row (writer text NOT NULL, n integer NOT NULL)');
    // One statement (and commit) per row: every row is a committed write that must survive.
    for (let n = 0; n < Number(rows); n++)
      await db.query('INSERT INTO probe_row (writer, n) VALUES ($1, $2)', [writer, n]);
  } finally {
    await db.close();
  }
  process.stdout.write('done\n');
} else {
  throw new Error(`usage: store-in-child migrate <url> | write <data-dir> <writer> <rows>`);
}
