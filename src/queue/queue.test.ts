import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { openPostgres } from '../store/sql.js';
import { listenForJobs } from './listen.js';
import { JobQueue, LEASE_EXPIRED_ERROR } from './queue.js';

afterAll(() => stopSharedPostgres());

describe.each(STORE_KINDS)('job queue on %s', (kind) => {
  let database: TestDatabase;
  let queue: JobQueue;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.stop());
  beforeEach(async () => {
    await database.db.exec('DELETE FROM job');
    queue = new JobQueue(database.db, { backoffBaseMs: 0, leaseMs: 60_000 });
  });

  const expireLeases = () =>
    database.db.exec("UPDATE job SET lease_expires_at = now() - interval '1 second' WHERE state = 'running'");

  it('hands each job to one worker, in order, and completes it', async () => {
    const a = await queue.enqueue({ kind: 'k', payload: { n: 1 } });
    const b = await queue.enqueue({ kind: 'k', payload: { n: 2 } });
    await queue.enqueue({ kind: 'other', payload: {} });
    const [first, second] = await Promise.all([queue.claim('w1', ['k'], 1), queue.claim('w2', ['k'], 1)]);
    const claimed = [...(first ?? []), ...(second ?? [])];
    expect(claimed.map((j) => j.id).sort()).toEqual([a.id, b.id].sort());
    expect(await queue.claim('w3', ['k'], 5)).toEqual([]);
    const job = claimed.find((j) => j.id === a.id);
    expect(job?.payload).toEqual({ n: 1 });
    expect(job?.attempt).toBe(1);
    expect(await queue.complete(job!)).toBe(true);
    expect((await queue.get(a.id))?.state).toBe('succeeded');
    expect(await queue.counts()).toEqual({ queued: 1, running: 1, succeeded: 1, failed: 0 });
  });

  it('keeps one queued or running job per singleton key, and allows a new one after it finished', async () => {
    const first = await queue.enqueue({ kind: 'analyze', payload: 1, singletonKey: 'sha256:x' });
    const second = await queue.enqueue({ kind: 'analyze', payload: 2, singletonKey: 'sha256:x' });
    expect(second).toEqual({ id: first.id, created: false });
    const [job] = await queue.claim('w', ['analyze'], 1);
    expect((await queue.enqueue({ kind: 'analyze', payload: 3, singletonKey: 'sha256:x' })).created).toBe(
      false,
    );
    await queue.complete(job!);
    expect((await queue.enqueue({ kind: 'analyze', payload: 4, singletonKey: 'sha256:x' })).created).toBe(
      true,
    );
  });

  it('retries a failing job until its attempts are spent, then fails it for good', async () => {
    const { id } = await queue.enqueue({ kind: 'k', payload: {}, maxAttempts: 2 });
    const [one] = await queue.claim('w', ['k'], 1);
    expect(await queue.fail(one!, 'boom 1')).toBe('queued');
    const [two] = await queue.claim('w', ['k'], 1);
    expect(two?.attempt).toBe(2);
    expect(await queue.fail(two!, 'boom 2')).toBe('failed');
    const record = await queue.get(id);
    expect(record).toMatchObject({ state: 'failed', attempts: 2, lastError: 'boom 2' });
    expect(record?.finishedAt).toBeInstanceOf(Date);
    expect(await queue.claim('w', ['k'], 1)).toEqual([]);
  });

  it('delays a retry by the backoff', async () => {
    const slow = new JobQueue(database.db, { backoffBaseMs: 3_600_000, backoffMaxMs: 7_200_000 });
    const { id } = await slow.enqueue({ kind: 'k', payload: {} });
    const [job] = await slow.claim('w', ['k'], 1);
    await slow.fail(job!, 'transient');
    expect(await slow.claim('w', ['k'], 1)).toEqual([]);
    expect((await slow.get(id))!.runAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('takes back a job whose lease expired, and stops the old owner from finishing it', async () => {
    const { id } = await queue.enqueue({ kind: 'k', payload: {}, maxAttempts: 2 });
    const [lost] = await queue.claim('dead-worker', ['k'], 1);
    expect(await queue.reapExpired(['k'])).toEqual([]); // lease still valid
    await expireLeases();
    expect(await queue.reapExpired(['k'])).toEqual([]); // requeued, not failed
    const [again] = await queue.claim('w2', ['k'], 1);
    expect(again).toMatchObject({ id, attempt: 2, owner: 'w2' });
    expect(await queue.heartbeat(lost!)).toBe(false);
    expect(await queue.complete(lost!)).toBe(false);
    expect(await queue.heartbeat(again!)).toBe(true);
    await expireLeases();
    const failed = await queue.reapExpired(['k']);
    expect(failed.map((j) => [j.id, j.state, j.lastError])).toEqual([[id, 'failed', LEASE_EXPIRED_ERROR]]);
  });

  it('gives a released job back without spending an attempt', async () => {
    await queue.enqueue({ kind: 'k', payload: {} });
    const [job] = await queue.claim('w', ['k'], 1);
    await queue.release(job!);
    const [again] = await queue.claim('w', ['k'], 1);
    expect(again?.attempt).toBe(1);
  });

  it('wakes local listeners on enqueue and prunes finished jobs', async () => {
    const kinds: string[] = [];
    const stop = queue.onWake((k) => kinds.push(k));
    const { id } = await queue.enqueue({ kind: 'wake-me', payload: {} });
    stop();
    expect(kinds).toEqual(['wake-me']);
    const [job] = await queue.claim('w', ['wake-me'], 1);
    await queue.complete(job!);
    expect(await queue.prune(3_600_000)).toBe(0);
    expect(await queue.prune(-1_000)).toBe(1);
    expect(await queue.get(id)).toBeUndefined();
  });

  it.runIf(kind === 'PostgreSQL 15')(
    'wakes other processes through LISTEN/NOTIFY, after commit only',
    async () => {
      const seen: string[] = [];
      let resolveSeen: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => (resolveSeen = resolve));
      const listener = await listenForJobs(
        database.url!,
        (k) => {
          seen.push(k);
          resolveSeen();
        },
        (err) => {
          throw err;
        },
      );
      const other = await openPostgres(database.url!);
      try {
        await other.transaction(async (tx) => {
          await new JobQueue(other).enqueue({ kind: 'from-elsewhere', payload: {} }, tx);
          expect(seen).toEqual([]);
        });
        await arrived;
        expect(seen).toEqual(['from-elsewhere']);
      } finally {
        await listener.close();
        await other.close();
      }
    },
  );
});
