/**
 * A read-through cache whose answers are fresh for a short bound and dropped at once when the
 * store announces a change (`invalidate()`, from NOTIFY or the in-process change event).
 * Concurrent misses of one key share one store read. Entries outlive their freshness so that
 * the caller can fall back on them, flagged stale, while the store is unreachable.
 *
 * A key asked for again past half its freshness is renewed in the background while its fresh
 * value still answers, so a key in steady use never makes a request wait on the store (on the
 * embedded store a read holds the event loop, and every request waiting behind it paid for it).
 * The bound is unchanged: a renewed value counts from when its read started.
 */
import { TimedCache } from './ttl-cache.js';

interface Entry<V> {
  value: V;
  /** The invalidation generation the value was read in; older generations are not fresh. */
  generation: number;
}

export class FreshCache<V> {
  private readonly cache: TimedCache<Entry<V>>;
  private readonly reading = new Map<string, { generation: number; promise: Promise<V> }>();
  private generation = 0;

  constructor(
    /** How long a read answers without asking the store again (0 = always ask). */
    private readonly freshMs: number,
    maxEntries: number,
  ) {
    this.cache = new TimedCache(maxEntries);
  }

  /** Every entry stops being fresh, and reads already under way will not refresh them. */
  invalidate(): void {
    this.generation++;
    this.reading.clear();
  }

  /**
   * The fresh value, or undefined when the store must be asked. Past half its freshness, `renew`
   * (when given) reads the key again in the background; its failure leaves the entry to expire.
   */
  fresh(key: string, nowMs: number, renew?: () => Promise<V>): { value: V } | undefined {
    if (this.freshMs <= 0) return undefined;
    const entry = this.cache.peek(key);
    if (!entry || entry.value.generation !== this.generation) return undefined;
    const age = nowMs - entry.storedAt;
    if (age > this.freshMs) return undefined;
    if (renew && age * 2 > this.freshMs && !this.reading.has(key))
      this.read(key, nowMs, renew).catch(() => undefined);
    return { value: entry.value.value };
  }

  /** Any remembered value at most `maxAgeMs` old, fresh or not (the stale fallback). */
  remembered(key: string, nowMs: number, maxAgeMs: number): { value: V } | undefined {
    const entry = this.cache.get(key, nowMs, maxAgeMs);
    return entry && { value: entry.value };
  }

  /** Stops sharing the read under way for `key` (it missed its budget; the next caller asks anew). */
  abandon(key: string): void {
    this.reading.delete(key);
  }

  /** Reads through `load`, sharing a read already under way for the key in this generation. */
  read(key: string, nowMs: number, load: () => Promise<V>): Promise<V> {
    const generation = this.generation;
    const pending = this.reading.get(key);
    if (pending && pending.generation === generation) return pending.promise;
    const promise = load().then((value) => {
      this.cache.set(key, { value, generation }, nowMs);
      return value;
    });
    const done = (): void => {
      if (this.reading.get(key)?.promise === promise) this.reading.delete(key);
    };
    promise.then(done, done);
    this.reading.set(key, { generation, promise });
    return promise;
  }
}
