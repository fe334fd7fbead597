/**
 * Coalesces concurrent identical reads: while a read for a key is in flight, later callers get
 * its answer instead of queueing another query. Nothing is kept once it settles, so an answer
 * is never older than the moment its query started, which is within one query's latency of
 * every request it serves. Under load this turns N requests' reads of the same row (a login's
 * freshness, an image's findings revision) into one, on the single-connection embedded store
 * most of all.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  run(key: string, read: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const started = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}
