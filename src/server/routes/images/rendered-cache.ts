/**
 * Rendered JSON bodies of the findings routes, kept per API process and keyed by the digest and
 * the analysis's findings revision (migration 40) plus the view (vulnerability type, vendor
 * only). Every write of the findings takes a new revision, so a re-match after a feed sync or a
 * forced re-analysis makes the next request render afresh in every API process: a stale body
 * is never served, with no cross-process invalidation. Bounded by bytes, least recently used out.
 */
export class RenderedCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number = 64 * 1024 * 1024) {}

  static key(...parts: readonly (string | boolean)[]): string {
    return parts.map(String).join('\0');
  }

  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is insertion order: re-insert to mark it most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, body: Buffer): void {
    if (body.length > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.length;
      this.entries.delete(key);
    }
    this.entries.set(key, body);
    this.bytes += body.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
