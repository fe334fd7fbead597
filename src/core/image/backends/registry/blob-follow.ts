/**
 * Reading a blob while it downloads. The consumer of layer i should not wait for the whole
 * blob to land before it can start decompressing, so it follows the temp file: it reads the
 * bytes the download has written so far and waits for more. Bytes of a blob are the same in
 * every correct download, so a download that starts over (a server ignoring Range) only
 * makes the reader wait until the file is past its position again.
 *
 * The reader ends only once the download has verified the whole blob, so a consumer never
 * sees the end of an unverified stream; on a failure it is destroyed with the pull's error.
 * If the cache stops being writable mid-way, it carries on from the network instead.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

const READ_CHUNK = 256 * 1024;

/** How far a download has got, for readers following it. */
export class DownloadProgress {
  /** The temp file, once created. */
  temp: string | undefined;
  /** Bytes at the start of the temp file that are written (drops to 0 when a download starts over). */
  written = 0;
  /**
   * running; done = all bytes written and verified; uncached = the cache could not be
   * written, read from the network; failed = the pull fails (readers are destroyed).
   */
  state: 'running' | 'done' | 'uncached' | 'failed' = 'running';
  private waiters: Array<() => void> = [];

  /** Resolves at the next change of any of the above. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  update(change: Partial<Pick<DownloadProgress, 'temp' | 'written' | 'state'>>): void {
    Object.assign(this, change);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export class FollowingReader extends Readable {
  private position = 0;
  private filling = false;
  private network: Readable | undefined;

  constructor(
    private readonly file: FileHandle,
    private readonly progress: DownloadProgress,
    /** The blob straight from the network, for when the cache gives out. */
    private readonly fromNetwork: () => Promise<Readable>,
  ) {
    super({ highWaterMark: READ_CHUNK });
  }

  override _read(): void {
    if (this.network) {
      this.network.resume();
      return;
    }
    if (this.filling) return;
    this.filling = true;
    this.fill()
      .catch((err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))))
      .finally(() => (this.filling = false));
  }

  /** Pushes what is available until the consumer has enough, the blob ends, or it must wait. */
  private async fill(): Promise<void> {
    while (!this.destroyed) {
      const available = this.progress.written - this.position;
      if (available > 0) {
        const buffer = Buffer.allocUnsafe(Math.min(available, READ_CHUNK));
        const { bytesRead } = await this.file.read(buffer, 0, buffer.length, this.position);
        if (bytesRead > 0) {
          this.position += bytesRead;
          if (!this.push(buffer.subarray(0, bytesRead))) return;
          continue;
        }
        // The file was truncated under us (a download starting over): wait for it to regrow.
      } else if (this.progress.state === 'done') {
        this.push(null);
        return;
      } else if (this.progress.state === 'uncached') {
        await this.switchToNetwork();
        return;
      } else if (this.progress.state === 'failed') {
        return; // the prefetcher destroys us with the pull's error
      }
      await this.progress.changed();
    }
  }

  /** Continues from the network, skipping the bytes already passed on. */
  private async switchToNetwork(): Promise<void> {
    const body = await this.fromNetwork();
    this.network = body;
    let skip = this.position;
    body.on('data', (chunk: Buffer) => {
      const rest = skip >= chunk.length ? undefined : chunk.subarray(skip);
      skip = Math.max(0, skip - chunk.length);
      if (rest && !this.push(rest)) body.pause();
    });
    body.once('end', () => this.push(null));
    body.once('error', (err) => this.destroy(err));
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    this.network?.destroy();
    this.file.close().then(
      () => done(err),
      () => done(err),
    );
  }
}
