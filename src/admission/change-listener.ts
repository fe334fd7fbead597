/**
 * The LISTEN side of the change feed: one dedicated PostgreSQL connection that turns NOTIFYs on
 * `ADMISSION_CHANNEL` into `onChange()`. When the connection drops (server restart,
 * `pg_terminate_backend`, a network cut) it reconnects with exponential backoff and jitter, and
 * on every reconnect calls `onChange()` once: notifications sent while it was away are lost, so
 * every cached answer must go.
 */
import pg from 'pg';

export const ADMISSION_CHANNEL = 'portcullis_admission';
/** How the listener's connection shows in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'portcullis-admission-listener';

export interface ListenerOptions {
  /** A connection or LISTEN failed; `attempt` counts failures since the last success. */
  onError(err: Error, attempt: number): void;
  /** Connected again after a drop (the caches were just dropped). */
  onReconnect?(): void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface ChangeListener {
  close(): Promise<void>;
}

export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  // Full jitter above half the ceiling: replicas restarted together do not reconnect in step.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Connects once (throwing if that fails), then keeps the LISTEN alive until `close()`. */
export async function listenForChanges(
  url: string,
  onChange: () => void,
  options: ListenerOptions,
): Promise<ChangeListener> {
  const initialMs = options.initialBackoffMs ?? 100;
  const maxMs = options.maxBackoffMs ?? 10_000;
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME });
    let lost = false;
    const drop = (err: Error | undefined): void => {
      if (lost) return;
      lost = true;
      if (client === next) client = undefined;
      void next.end().catch(() => undefined);
      if (closed) return;
      if (err) options.onError(err, failures);
      schedule();
    };
    next.on('notification', (message) => {
      if (message.channel === ADMISSION_CHANNEL) onChange();
    });
    next.on('error', (err) => drop(err));
    next.on('end', () => drop(new Error('the change listener connection ended')));
    try {
      await next.connect();
      await next.query(`LISTEN ${ADMISSION_CHANNEL}`);
    } catch (err) {
      lost = true;
      void next.end().catch(() => undefined);
      throw err;
    }
    return next;
  };

  const reconnect = async (): Promise<void> => {
    timer = undefined;
    if (closed) return;
    try {
      const next = await connect();
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      failures = 0;
      onChange();
      options.onReconnect?.();
    } catch (err) {
      failures++;
      options.onError(err as Error, failures);
      schedule();
    }
  };

  function schedule(): void {
    if (closed || timer) return;
    timer = setTimeout(() => void reconnect(), backoffDelay(failures, initialMs, maxMs));
    timer.unref();
  }

  client = await connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
