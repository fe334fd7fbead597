/**
 * Pushed invalidation for the webhook's caches. Writes to the tables a decision reads (images'
 * analysis status, analyses, policy bundles and their activation — whitelists live in bundles —
 * evaluations, admission exceptions, accounts) are announced: in this process by an event fired
 * once the write is committed, and to other processes by NOTIFY on `ADMISSION_CHANNEL`, sent on
 * the writing connection so PostgreSQL delivers it at commit (never for a rolled-back write).
 * Every process that writes through `observe(db)` announces; the webhook subscribes, and in a
 * separate `--role admission` process also LISTENs (`change-listener.ts`: reconnects, and drops
 * every cached answer on reconnect). A lost notification costs only latency: the caches'
 * freshness bound (`verdictCache.freshMilliseconds`) still holds.
 */
import { EventEmitter } from 'node:events';
import type { Sql } from '../store/sql.js';
import {
  ADMISSION_CHANNEL,
  listenForChanges,
  type ChangeListener,
  type ListenerOptions,
} from './change-listener.js';
import type { ChangeFeed } from './ports.js';

export { ADMISSION_CHANNEL };

const WATCHED =
  /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:image|analysis|policy_bundle|policy_evaluation|admission_exception|account)\b/i;

/** Whether a statement writes a table an admission decision reads. */
export function writesWatchedTable(text: string): boolean {
  return WATCHED.test(text);
}

export class StoreChanges implements ChangeFeed {
  private readonly events = new EventEmitter();

  constructor() {
    this.events.setMaxListeners(0);
  }

  subscribe(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Tells this process's subscribers (NOTIFY from elsewhere, or a committed local write). */
  emit(): void {
    this.events.emit('change');
  }

  /** `db` with every committed write to a watched table announced. */
  observe(db: Sql): Sql {
    return this.wrap(db, undefined);
  }

  /**
   * LISTENs on its own connection; NOTIFYs from every process become `emit()`. A dropped
   * connection is re-established with backoff, and each reconnect also `emit()`s (whatever was
   * announced meanwhile was missed, so every cached answer is dropped).
   */
  listen(url: string, options: ListenerOptions): Promise<ChangeListener> {
    return listenForChanges(url, () => this.emit(), options);
  }

  /** `inTransaction` collects the announcement until the outer transaction commits. */
  private wrap(db: Sql, inTransaction: { changed: boolean } | undefined): Sql {
    const announce = async (target: Sql, text: string): Promise<void> => {
      if (!writesWatchedTable(text)) return;
      if (target.kind === 'postgres') await target.query('SELECT pg_notify($1, $2)', [ADMISSION_CHANNEL, '']);
      if (inTransaction) inTransaction.changed = true;
      else this.emit();
    };
    const self: Sql = {
      kind: db.kind,
      // The embedded store's write clock (ADR 0023) must survive the wrapping, or every read
      // that trusts "no write since" would query again.
      ...(db.writes ? { writes: db.writes } : {}),
      query: async <T>(text: string, params?: readonly unknown[]) => {
        const result = await db.query<T>(text, params);
        await announce(db, text);
        return result;
      },
      exec: async (text: string) => {
        await db.exec(text);
        await announce(db, text);
      },
      transaction: async <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => {
        if (inTransaction) return db.transaction((tx) => fn(this.wrap(tx, inTransaction)));
        const state = { changed: false };
        const out = await db.transaction((tx) => fn(this.wrap(tx, state)));
        if (state.changed) this.emit();
        return out;
      },
      session: (fn) => db.session((session) => fn(this.wrap(session, inTransaction))),
      close: () => db.close(),
    };
    return self;
  }
}
