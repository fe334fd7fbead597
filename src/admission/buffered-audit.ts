/**
 * Audit rows survive a store that is briefly unreachable: rows that cannot be written are kept
 * in memory, in order, and written once the store answers again (retried on a timer and before
 * every later row). The buffer is bounded; past it the oldest rows are dropped and counted.
 * Under load, rows are written in batches (one multi-row insert when the sink has
 * `recordMany`): a row waits at most `flushDelayMs`, or less once `batchRows` are waiting.
 * Between two inserts the drain yields to the event loop (`setImmediate`), so a backlog (after
 * an outage, or rows that piled up behind a slow insert) is written in short steps between
 * requests rather than in one long stretch: on the embedded store an insert holds the loop.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AuditRecord, AuditSink } from './ports.js';

export interface BufferedAuditOptions {
  maxPending: number;
  retryMs: number;
  /** Rows written by one insert at most, and the count that flushes at once (default 1). */
  batchRows?: number;
  /** How long a row may wait for others to share its insert (default 0: written at once). */
  flushDelayMs?: number;
  /** Told about each failed write, with the rows still waiting. */
  onError?: (err: unknown, pending: number) => void;
}

export class BufferedAuditSink implements AuditSink {
  private readonly pending: AuditRecord[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled: Promise<void> | undefined;
  private delay: { timer: NodeJS.Timeout; fire(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly batchRows: number;
  /** Rows dropped because the buffer was full. */
  dropped = 0;

  constructor(
    private readonly sink: AuditSink,
    private readonly options: BufferedAuditOptions,
  ) {
    this.batchRows = Math.max(1, options.batchRows ?? 1);
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** Resolves once the row (and every row before it) is written, or kept for a retry. */
  record(row: AuditRecord): Promise<void> {
    this.pending.push(row);
    if (this.pending.length > this.options.maxPending) {
      this.pending.shift();
      this.dropped++;
    }
    const delayMs = this.options.flushDelayMs ?? 0;
    if (delayMs <= 0 || this.closed || this.pending.length >= this.batchRows || this.flushing)
      return this.flush();
    this.scheduled ??= new Promise<void>((resolve) => {
      const fire = (): void => {
        if (this.delay) clearTimeout(this.delay.timer);
        this.delay = undefined;
        this.scheduled = undefined;
        resolve(this.flush());
      };
      this.delay = { timer: setTimeout(fire, delayMs), fire };
    });
    return this.scheduled;
  }

  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops retrying after one last attempt to write what is waiting. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.delay?.fire();
    await this.flush();
  }

  private async drain(): Promise<void> {
    const size = this.sink.recordMany ? this.batchRows : 1;
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, size);
      try {
        if (batch.length > 1 && this.sink.recordMany) await this.sink.recordMany(batch);
        else await this.sink.record(batch[0] as AuditRecord);
      } catch (err) {
        this.options.onError?.(err, this.pending.length);
        this.retryLater();
        return;
      }
      // The rows written lead the buffer unless it overflowed meanwhile (then fewer of them do).
      const written = new Set(batch);
      while (this.pending.length > 0 && written.has(this.pending[0] as AuditRecord)) this.pending.shift();
      if (this.pending.length > 0) await yieldToLoop();
    }
  }

  private retryLater(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.retryMs);
    this.timer.unref();
  }
}
