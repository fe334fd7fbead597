/**
 * Queue throughput on PostgreSQL (issue 12: at least 500 jobs/s enqueued and completed): each
 * repetition enqueues JOBS jobs, then four consumers claim them one at a time and complete them,
 * as four worker slots would. The baseline is the same number of bare INSERT + UPDATE
 * statements on a scratch table: what the database itself costs per job.
 */
import { JobQueue } from '../src/queue/queue.js';
import { migrate } from '../src/store/migrate.js';
import { openPostgres } from '../src/store/sql.js';
import { startPostgres } from '../test/harness/postgres.js';
import type { Benchmark } from './types.js';

const JOBS = 200;
const CONSUMERS = 4;
const TARGET_JOBS_PER_SECOND = 500;

export const queueThroughputBenchmark: Benchmark = {
  name: 'queue-enqueue-complete-postgres',
  baselineLabel: `${JOBS} bare INSERT + UPDATE statements`,
  targetMs: (JOBS / TARGET_JOBS_PER_SECOND) * 1000,
  runs: 7,
  async prepare() {
    const server = await startPostgres();
    const db = await openPostgres(server.url);
    await migrate(db);
    await db.query('CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, state text, payload jsonb)');
    const queue = new JobQueue(db);
    let round = 0;
    return {
      async measure() {
        round++;
        for (let i = 0; i < JOBS; i++)
          await queue.enqueue({ kind: 'bench', payload: { round, i }, singletonKey: `${round}:${i}` });
        let done = 0;
        await Promise.all(
          Array.from({ length: CONSUMERS }, async (_, slot) => {
            for (;;) {
              const [job] = await queue.claim(`bench-${slot}`, ['bench'], 1);
              if (!job) return;
              if (!(await queue.complete(job))) throw new Error(`job ${job.id} was not completed`);
              done++;
            }
          }),
        );
        if (done !== JOBS) throw new Error(`completed ${done} of ${JOBS} jobs`);
      },
      async baseline() {
        for (let i = 0; i < JOBS; i++) {
          const { rows } = await db.query<{ id: string }>(
            "INSERT INTO bench_scratch (state, payload) VALUES ('queued', $1) RETURNING id",
            [JSON.stringify({ i })],
          );
          await db.query("UPDATE bench_scratch SET state = 'done' WHERE id = $1", [rows[0]!.id]);
        }
      },
      async cleanup() {
        await db.close();
        await server.stop();
      },
    };
  },
};
