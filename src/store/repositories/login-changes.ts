/**
 * A counter that every write of what a password login depends on (a user's password or
 * existence, its account's state or existence) advances once the write has committed. The
 * auth plugin remembers a checked login together with the count it read before checking; a
 * different count means "check again", so such a write takes effect at once for every later
 * request in this process. Writes made by another process (N API processes on one PostgreSQL
 * server) do not advance it: the auth plugin bounds those by time (ADR 0023).
 */
export class LoginChanges {
  private count = 0;

  get current(): number {
    return this.count;
  }

  /** Called after the write committed (and on failure too: a spurious re-check is harmless). */
  advance(): void {
    this.count++;
  }

  /** Runs a write and advances the counter after it, whatever its outcome. */
  async around<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.advance();
    }
  }
}
