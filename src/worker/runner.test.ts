import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { JobQueue } from '../queue/queue.js';
import { WorkerRunner } from './runner.js';
import { defineJob, type JobDefinition } from './types.js';

afterAll(() => stopSharedPostgres());

const silent = pino({ level: 'silent' });
const payload = z.object({ name: z.string() });

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

describe.each(STORE_KINDS)('worker runner on %s', (kind) => {
  let database: TestDatabase;
  let queue: JobQueue;
  let runner: WorkerRunner | undefined;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.stop());
  beforeEach(async () => {
    await runner?.stop();
    runner = undefined;
    await database.db.exec('DELETE FROM job');
    queue = new JobQueue(database.db, { backoffBaseMs: 0, leaseMs: 30_000 });
  });

  const start = (jobs: JobDefinition[], concurrency = 2, drainTimeoutMs = 10_000) => {
    runner = new WorkerRunner(
      queue,
      jobs,
      { owner: 'test', concurrency, pollMs: 50, drainTimeoutMs },
      silent,
    );
    runner.start();
    return runner;
  };

  it('runs queued jobs with their parsed payloads and completes them', async () => {
    const seen: string[] = [];
    start([defineJob({ kind: 'greet', payload, run: async (p) => void seen.push(p.name) })]);
    const ids = await Promise.all(
      ['a', 'b', 'c'].map((name) => queue.enqueue({ kind: 'greet', payload: { name } })),
    );
    await until(async () => (await queue.counts()).succeeded === 3);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect((await queue.get(ids[0]!.id))?.attempts).toBe(1);
  });

  it('retries a failing job and records the final failure once', async () => {
    const failures: string[] = [];
    let runs = 0;
    start([
      defineJob({
        kind: 'flaky',
        payload,
        maxAttempts: 3,
        run: async () => {
          runs++;
          throw new Error('registry unreachable');
        },
        onFinalFailure: async (p, error) => void failures.push(`${p.name}: ${error}`),
      }),
    ]);
    const { id } = await queue.enqueue({ kind: 'flaky', payload: { name: 'img' }, maxAttempts: 3 });
    await until(async () => (await queue.get(id))?.state === 'failed');
    await until(async () => failures.length === 1);
    expect(runs).toBe(3);
    expect(failures).toEqual(['img: registry unreachable']);
  });

  it('fails a permanent error and an invalid payload at once', async () => {
    const failures: string[] = [];
    start([
      defineJob({
        kind: 'strict',
        payload,
        run: async () => {
          throw new Error('manifest unknown');
        },
        isPermanent: () => true,
        onFinalFailure: async (_p, error) => void failures.push(error),
      }),
    ]);
    const permanent = await queue.enqueue({ kind: 'strict', payload: { name: 'x' }, maxAttempts: 5 });
    const invalid = await queue.enqueue({ kind: 'strict', payload: { wrong: 1 }, maxAttempts: 5 });
    await until(async () => (await queue.counts()).failed === 2);
    expect((await queue.get(permanent.id))?.attempts).toBe(1);
    expect((await queue.get(invalid.id))?.lastError).toMatch(/invalid job payload/);
    expect(failures).toEqual(['manifest unknown']);
  });

  it('lets a running job finish when stopped before the drain deadline', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    const r = start([
      defineJob({
        kind: 'slow',
        payload,
        run: async () => {
          started = true;
          await gate;
        },
      }),
    ]);
    const { id } = await queue.enqueue({ kind: 'slow', payload: { name: 's' } });
    await until(async () => started);
    const stopped = r.stop();
    release();
    await stopped;
    runner = undefined;
    expect((await queue.get(id))?.state).toBe('succeeded');
  });

  it('gives a job back to the queue, attempt unspent, when the drain deadline passes', async () => {
    let aborted = false;
    const r = start(
      [
        defineJob({
          kind: 'stuck',
          payload,
          run: (_p, ctx) =>
            new Promise<void>((_resolve, reject) => {
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
                reject(ctx.signal.reason);
              });
            }),
        }),
      ],
      1,
      100,
    );
    const { id } = await queue.enqueue({ kind: 'stuck', payload: { name: 's' } });
    await until(async () => (await queue.get(id))?.state === 'running');
    await r.stop();
    runner = undefined;
    expect(aborted).toBe(true);
    expect(await queue.get(id)).toMatchObject({ state: 'queued', attempts: 0 });
  });
});
