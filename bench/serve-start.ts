/**
 * Start to ready on an existing embedded store (issue 12: at most 2 s): `startService` on a data
 * dir a first start already migrated and bootstrapped, until `/v1/ready` answers 200; the clean
 * stop after it is timed too, so the figure is an upper bound. The baseline opens and closes the same PGlite database: the part of
 * a start the embedded engine itself costs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resolveServiceConfig } from '../src/config/service.js';
import { startService, type RunningService } from '../src/main/serve.js';
import { openPglite } from '../src/store/sql.js';
import type { Benchmark } from './types.js';

export const serveStartBenchmark: Benchmark = {
  name: 'serve-start-to-ready-embedded',
  baselineLabel: 'open + close of the same PGlite database',
  targetMs: 2_000,
  runs: 5,
  async prepare() {
    const dataDir = await mkdtemp(join(tmpdir(), 'pc-bench-serve-'));
    const config = resolveServiceConfig(
      { dataDir, listen: '127.0.0.1:0', feedSyncInterval: 'off' },
      { HOME: dataDir },
    );
    const log = pino({ level: 'silent' });
    await (await startService(config, log)).stop();
    let running: RunningService | undefined;
    return {
      async measure() {
        running = await startService(config, log);
        const ready = await fetch(`${running.url!}/ready`);
        if (ready.status !== 200) throw new Error(`/ready answered ${ready.status}`);
        await running.stop();
        running = undefined;
      },
      async baseline() {
        const db = await openPglite(join(dataDir, 'db'));
        await db.close();
      },
      async cleanup() {
        await running?.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};
