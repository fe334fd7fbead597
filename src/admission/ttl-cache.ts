/** A bounded map remembering when each entry was stored; the oldest insertion is evicted first. */
export class TimedCache<V> {
  private readonly entries = new Map<string, { value: V; storedAt: number }>();

  constructor(private readonly maxEntries: number) {}

  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** The value if it was stored at most `maxAgeMs` before `now`. */
  get(key: string, now: number, maxAgeMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.storedAt > maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** The entry and when it was stored, whatever its age (nothing is evicted). */
  peek(key: string): { value: V; storedAt: number } | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
