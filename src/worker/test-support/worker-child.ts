/**
 * A worker in a process of its own, for tests that SIGKILL it mid-job:
 *   node --import tsx src/worker/test-support/worker-child.ts <db-url> <lease-ms>
 * Job kind `test-write` writes `payload.rows` rows into `test_result` in one transaction,
 * printing "writing <jobId> <attempt>" after the first row; with payload.hangOnAttempt equal
 * to the attempt it then hangs (until killed), otherwise it commits.
 */
import pino from 'pino';
import { z } from 'zod';
import { JobQueue } from '../../queue/queue.js';
import { openPostgres } from '../../store/sql.js';
import { WorkerRunner } from '../runner.js';
import { defineJob } from '../types.js';

const [url, leaseMs] = process.argv.slice(2);
if (!url || !leaseMs) throw new Error('usage: worker-child.ts <db-url> <lease-ms>');
const db = await openPostgres(url);
const queue = new JobQueue(db, { leaseMs: Number(leaseMs), backoffBaseMs: 0 });

const testWrite = defineJob({
  kind: 'test-write',
  payload: z.object({ rows: z.number().int(), hangOnAttempt: z.number().int() }),
  async run(payload, ctx) {
    await db.transaction(async (tx) => {
      for (let i = 0; i < payload.rows; i++) {
        await tx.query('INSERT INTO test_result (job_id, attempt, n) VALUES ($1, $2, $3)', [
          ctx.jobId,
          ctx.attempt,
          i,
        ]);
        if (i === 0) process.stdout.write(`writing ${ctx.jobId} ${ctx.attempt}\n`);
        if (i === 0 && ctx.attempt === payload.hangOnAttempt) await new Promise(() => undefined);
      }
    });
  },
});

const runner = new WorkerRunner(
  queue,
  [testWrite],
  { owner: `child-${process.pid}`, concurrency: 1, pollMs: 100, drainTimeoutMs: 5_000 },
  pino({ level: 'silent' }),
);
runner.start();
process.on('SIGTERM', () => {
  void runner.stop().then(() => db.close());
});
