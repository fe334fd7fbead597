/**
 * A source blob's response read in consecutive slices: `take(n)` is a stream of exactly the
 * next `n` bytes (one PATCH body), so chunks are streamed, never buffered whole.
 */
import { Readable } from 'node:stream';

export class ChunkSource {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer | undefined;

  constructor(private readonly stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.pending) {
      const buf = this.pending;
      this.pending = undefined;
      return buf;
    }
    const { value, done } = await this.iterator.next();
    return done ? undefined : Buffer.from(value);
  }

  /** Up to `n` bytes, handing back what goes beyond them; fails when the source ends first. */
  private async *slice(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const buf = await this.next();
      if (!buf) throw new Error(`the source blob ended ${left} bytes early`);
      if (buf.length > left) this.pending = buf.subarray(left);
      const part = buf.length > left ? buf.subarray(0, left) : buf;
      left -= part.length;
      yield part;
    }
  }

  take(n: number): Readable {
    return Readable.from(this.slice(n), { objectMode: false });
  }

  /** Reads and drops `n` bytes (a source that ignored the Range request). */
  async skip(n: number): Promise<void> {
    for await (const part of this.slice(n)) void part;
  }

  destroy(): void {
    if (!this.stream.destroyed) this.stream.destroy();
  }
}
