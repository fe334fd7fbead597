import { describe, expect, it, vi } from 'vitest';
import { BufferedAuditSink } from './buffered-audit.js';
import type { AuditRecord } from './ports.js';

function row(uid: string): AuditRecord {
  return {
    time: new Date(0),
    cluster: 'c',
    uid,
    namespace: 'apps',
    operation: 'CREATE',
    kind: 'Pod',
    name: 'web',
    release: undefined,
    user: 'u',
    images: [],
    allowed: true,
    verdict: 'allowed',
    reasons: [],
    mode: 'policy',
    exception: undefined,
    dryRun: false,
    stale: true,
  };
}

/** A store that refuses writes while `down`, as an unreachable database does. */
class FlakyStore {
  down = false;
  readonly written: string[] = [];
  async record(r: AuditRecord): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.written.push(r.uid);
  }
}

describe('BufferedAuditSink', () => {
  it('keeps rows while the store is down and writes them, in order, once it answers', async () => {
    const store = new FlakyStore();
    const errors: number[] = [];
    const sink = new BufferedAuditSink(store, {
      maxPending: 100,
      retryMs: 60_000,
      onError: (_e, n) => errors.push(n),
    });
    await sink.record(row('a'));
    store.down = true;
    await sink.record(row('b'));
    await sink.record(row('c'));
    expect(store.written).toEqual(['a']);
    expect(sink.waiting).toBe(2);
    expect(errors).toEqual([1, 2]);
    store.down = false;
    await sink.record(row('d'));
    expect(store.written).toEqual(['a', 'b', 'c', 'd']);
    expect(sink.waiting).toBe(0);
    await sink.close();
  });

  it('retries on its own timer without a later row', async () => {
    const store = new FlakyStore();
    store.down = true;
    const sink = new BufferedAuditSink(store, { maxPending: 100, retryMs: 20 });
    await sink.record(row('a'));
    store.down = false;
    await vi.waitFor(() => expect(store.written).toEqual(['a']), { timeout: 30_000, interval: 20 });
    await sink.close();
  });

  it('drops the oldest rows past its bound and counts them', async () => {
    const store = new FlakyStore();
    store.down = true;
    const sink = new BufferedAuditSink(store, { maxPending: 2, retryMs: 60_000 });
    for (const uid of ['a', 'b', 'c', 'd']) await sink.record(row(uid));
    expect(sink.dropped).toBe(2);
    store.down = false;
    await sink.flush();
    expect(store.written).toEqual(['c', 'd']);
    await sink.close();
  });

  it('writes a backlog in inserts of at most batchRows, in order', async () => {
    const batches: string[][] = [];
    let down = true;
    const store = {
      async record(r: AuditRecord): Promise<void> {
        await this.recordMany([r]);
      },
      async recordMany(rows: readonly AuditRecord[]): Promise<void> {
        if (down) throw new Error('connect ECONNREFUSED');
        batches.push(rows.map((r) => r.uid));
      },
    };
    const sink = new BufferedAuditSink(store, { maxPending: 100, retryMs: 60_000, batchRows: 20 });
    const uids = Array.from({ length: 45 }, (_, i) => `r${i}`);
    for (const uid of uids) await sink.record(row(uid));
    expect(sink.waiting).toBe(45);
    down = false;
    await sink.flush();
    expect(batches.map((b) => b.length)).toEqual([20, 20, 5]);
    expect(batches.flat()).toEqual(uids);
    await sink.close();
  });
});
