/**
 * Audit rows survive a store that is briefly unreachable: rows that cannot be written are kept
 * in memory, in order, and written once the store answers again (retried on a timer and before
 * every later row). The buffer is bounded; past it the oldest rows are dropped and counted.
 */
import type { AuditRecord, AuditSink } from './ports.js';

export interface BufferedAuditOptions {
  maxPending: number;
  retryMs: number;
  /** Told about each failed write, with the rows still waiting. */
  onError?: (err: unknown, pending: number) => void;
}

export class BufferedAuditSink implements AuditSink {
  private readonly pending: AuditRecord[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Rows dropped because the buffer was full. */
  dropped = 0;

  constructor(
    private readonly sink: AuditSink,
    private readonly options: BufferedAuditOptions,
  ) {}

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
    return this.flush();
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
    await this.flush();
  }

  private async drain(): Promise<void> {
    for (let row = this.pending[0]; row !== undefined; row = this.pending[0]) {
      try {
        await this.sink.record(row);
      } catch (err) {
        this.options.onError?.(err, this.pending.length);
        this.retryLater();
        return;
      }
      // The row written is the first one unless the buffer overflowed meanwhile.
      if (this.pending[0] === row) this.pending.shift();
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
