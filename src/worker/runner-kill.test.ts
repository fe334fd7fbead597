import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, stopSharedPostgres, type TestDatabase } from '../../test/harness/databases.js';
import { JobQueue, LEASE_EXPIRED_ERROR } from '../queue/queue.js';

const CHILD = join(import.meta.dirname, 'test-support/worker-child.ts');
const LEASE_MS = 1_500;

function startWorker(url: string): { child: ChildProcess; writing: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, String(LEASE_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const writing = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('writing'));
      if (line) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before writing`)));
  });
  writing.catch(() => undefined);
  return { child, writing };
}

async function waitForState(queue: JobQueue, id: string, state: string): Promise<void> {
  while ((await queue.get(id))?.state !== state) await new Promise((r) => setTimeout(r, 100));
}

describe('a worker killed with SIGKILL mid-job (PostgreSQL 15, real processes)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('PostgreSQL 15');
    await database.db.exec('CREATE TABLE test_result (job_id text, attempt int, n int)');
  });
  afterAll(async () => {
    await database.stop();
    await stopSharedPostgres();
  });

  it('leaves nothing half-written, and the job runs again on another worker after its lease expires', async () => {
    const queue = new JobQueue(database.db);
    const { id } = await queue.enqueue({
      kind: 'test-write',
      payload: { rows: 5, hangOnAttempt: 1 },
      maxAttempts: 3,
    });

    const first = startWorker(database.url!);
    expect(await first.writing).toBe(`writing ${id} 1`);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // The killed transaction is rolled back: no row of attempt 1 is visible, ever.
    expect((await database.db.query('SELECT * FROM test_result')).rows).toEqual([]);
    expect((await queue.get(id))?.state).toBe('running');

    const second = startWorker(database.url!);
    try {
      expect(await second.writing).toBe(`writing ${id} 2`);
      await waitForState(queue, id, 'succeeded');
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
    const { rows } = await database.db.query<{ attempt: number; n: number }>(
      'SELECT attempt, n FROM test_result ORDER BY n',
    );
    expect(rows).toEqual([0, 1, 2, 3, 4].map((n) => ({ attempt: 2, n })));
    expect(await queue.get(id)).toMatchObject({
      attempts: 2,
      state: 'succeeded',
      lastError: LEASE_EXPIRED_ERROR,
    });
  });
});
