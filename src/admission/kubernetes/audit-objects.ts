/**
 * Audit records mirrored as `Audit` custom resources (admission config
 * `kubernetes.auditObjects: true`; ADR 0028). The store's audit row stays the record of truth:
 * the mirror is a bounded queue drained in the background, a few objects at a time, so a slow
 * or refusing API server never holds a decision; rows that do not fit are dropped and counted.
 * One object per decided workload (`auditResource` names it): created, or merge-patched with the
 * latest decision when it exists. Dry-run decisions leave no object.
 */
import { auditResource } from '../audit.js';
import type { AuditRecord, AuditSink } from '../ports.js';
import { KubeApiError, type KubeClient } from './client.js';
import { WHITELIST_GROUP, WHITELIST_VERSION } from './whitelist-items.js';

export interface AuditObjectOptions {
  maxQueue: number;
  /** Objects written at once. */
  batch: number;
  /** Per write. */
  timeoutMs: number;
  onDropped(count: number): void;
  onWritten?(count: number): void;
  onError(err: Error): void;
}

const auditsPath = (namespace: string): string =>
  `/apis/${WHITELIST_GROUP}/${WHITELIST_VERSION}/namespaces/${encodeURIComponent(namespace)}/audits`;

export class AuditObjectMirror {
  private readonly queue: AuditRecord[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: AuditObjectOptions,
  ) {}

  /** Never waits: queues the row, or counts it dropped when the queue is full. */
  push(rows: readonly AuditRecord[]): void {
    let dropped = 0;
    for (const row of rows) {
      if (row.dryRun) continue;
      if (this.closed || this.queue.length >= this.options.maxQueue) dropped++;
      else this.queue.push(row);
    }
    if (dropped > 0) this.options.onDropped(dropped);
    if (this.queue.length > 0) this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** `sink` with every row it records also queued for the mirror. */
  wrap(sink: AuditSink): AuditSink {
    return {
      record: (row) => {
        this.push([row]);
        return sink.record(row);
      },
      ...(sink.recordMany
        ? {
            recordMany: (rows: readonly AuditRecord[]) => {
              this.push(rows);
              return sink.recordMany?.(rows) ?? Promise.resolve();
            },
          }
        : {}),
    };
  }

  /** Writes what is queued (bounded by each write's timeout), then stops taking rows. */
  async close(): Promise<void> {
    await this.draining;
    this.closed = true;
  }

  private async drain(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const rows = this.queue.splice(0, this.options.batch);
      const results = await Promise.allSettled(rows.map((row) => this.write(row)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const f of failed) this.options.onError(f.reason as Error);
      if (failed.length > 0) this.options.onDropped(failed.length);
      this.options.onWritten?.(rows.length - failed.length);
    }
  }

  private async write(row: AuditRecord): Promise<void> {
    const object = auditResource(row);
    const { name, namespace } = object['metadata'] as { name: string; namespace: string };
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      await this.client.write('POST', auditsPath(namespace), object, signal);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
      const path = `${auditsPath(namespace)}/${encodeURIComponent(name)}`;
      // null removes what an earlier decision set and this one does not (merge patch).
      const spec = { release: null, exception: null, ...(object['spec'] as object) };
      await this.client.write('PATCH', path, { spec }, signal);
    }
  }
}
