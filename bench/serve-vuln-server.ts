/**
 * One API process for bench/serve-vuln.ts: `tsx bench/serve-vuln-server.ts ROOT DATA_DIR [DB_URL]`
 * starts the service of the checkout at ROOT (this one, or an older commit's worktree for an
 * old/new comparison) on a store `seed()` filled, sends `{ url }` over its IPC channel, answers
 * each `'cpu'` message with its `process.cpuUsage()` and stops when the channel closes. In its
 * own process, its CPU time is the server's alone (the load generator and the bench's
 * bookkeeping are elsewhere; on PostgreSQL the database server's is not counted). The log level is `info` and the
 * destination /dev/null, as a production process writes its logs but nobody reads them here.
 */
import pino from 'pino';
import { importFrom } from './base-checkout.js';

interface ServeModule {
  startService(config: unknown, log: pino.Logger): Promise<{ url?: string; stop(): Promise<void> }>;
}
interface ConfigModule {
  resolveServiceConfig(flags: Record<string, unknown>, env: Record<string, string>): unknown;
}

async function main(): Promise<void> {
  const [root, dataDir, dbUrl] = process.argv.slice(2);
  if (!root || !dataDir) throw new Error('usage: serve-vuln-server.ts ROOT DATA_DIR [DB_URL]');
  const { startService } = await importFrom<ServeModule>(root, 'src/main/serve.ts');
  const { resolveServiceConfig } = await importFrom<ConfigModule>(root, 'src/config/service.ts');
  const config = resolveServiceConfig(
    { dataDir, listen: '127.0.0.1:0', feedSyncInterval: 'off', role: 'api', ...(dbUrl ? { dbUrl } : {}) },
    { HOME: dataDir },
  );
  const service = await startService(config, pino({ level: 'info' }, pino.destination('/dev/null')));
  if (!process.send) throw new Error('serve-vuln-server.ts runs as a child with an IPC channel');
  process.on('message', (message) => {
    if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
  });
  process.send({ url: service.url });
  await new Promise((resolve) => process.on('disconnect', resolve));
  await service.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
