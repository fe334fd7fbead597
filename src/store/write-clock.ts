/**
 * Counts the writes through one database handle that sees every write of its database: the
 * embedded store, whose data directory is one process's alone. A reader takes a `mark()` before
 * a query; while `unchangedSince(mark)` holds, no statement that could change data has started
 * since, so the query's answer still stands and need not be asked again. A PostgreSQL server
 * has other writers (other processes), so its handles carry no clock.
 */
export class WriteClock {
  private started = 0;
  private ended = 0;

  /** Conservative: anything but a plain SELECT may write. */
  static mayWrite(text: string): boolean {
    return (
      !/^\s*SELECT\b/i.test(text) || /\b(nextval|setval|INTO|FOR\s+(UPDATE|SHARE|NO\s+KEY))\b/i.test(text)
    );
  }

  /** A moment to compare later; undefined while a write is in flight (nothing can be kept). */
  mark(): number | undefined {
    return this.started === this.ended ? this.started : undefined;
  }

  unchangedSince(mark: number): boolean {
    return this.started === mark && this.ended === mark;
  }

  async around<T>(write: () => Promise<T>): Promise<T> {
    this.started++;
    try {
      return await write();
    } finally {
      this.ended++;
    }
  }
}
