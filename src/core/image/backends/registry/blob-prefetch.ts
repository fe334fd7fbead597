/**
 * Fetch-ahead of one image's blobs into the blob cache, with bounded concurrency.
 *
 * Layers are still read in order: opening layer i queues it first and the layers after it
 * behind, so while the consumer works through layer i the next ones download (at most
 * `concurrency` at once, each streamed to disk, never held in memory). Opening a blob waits
 * for its own download and then reads the verified file.
 *
 * The first failure fails the whole pull at once: the other downloads are aborted (each
 * removes its temp file), and only once they have all settled is the error handed to every
 * waiting open and every stream still being read, so the caller sees the one precise error
 * of the blob that broke, and no temp file outlives it.
 */
import { open as openFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Descriptor } from '../../types.js';
import { blobCachePath, isCached, openCachedFile } from './blob-cache.js';
import { CacheWriteError } from './blob-download.js';
import { DownloadProgress, FollowingReader } from './blob-follow.js';

export interface PrefetchInit {
  cacheDir: string;
  /** Downloads at the same time (1 = one after another). */
  concurrency: number;
  /** Downloads a blob into `final`, verified, reporting to `progress`; aborted through `signal`. */
  download(
    descriptor: Descriptor,
    final: string,
    signal: AbortSignal,
    progress: DownloadProgress,
  ): Promise<void>;
  /** Streams a blob from the network without caching it (when the cache cannot be written). */
  stream(descriptor: Descriptor): Promise<Readable>;
}

/** Where a finished job's bytes are: in the cache, or only on the network. */
type Outcome = 'cached' | 'uncached';

interface Job {
  descriptor: Descriptor;
  final: string;
  started: boolean;
  progress: DownloadProgress;
  outcome: Promise<Outcome>;
  settle(result: Outcome | Error): void;
}

function newJob(descriptor: Descriptor, final: string): Job {
  let settled = false;
  let resolve: (outcome: Outcome) => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const outcome = new Promise<Outcome>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Fetch-ahead jobs nobody opens must not turn a failure into an unhandled rejection.
  outcome.catch(() => undefined);
  return {
    descriptor,
    final,
    started: false,
    progress: new DownloadProgress(),
    outcome,
    settle(result) {
      if (settled) return;
      settled = true;
      if (result instanceof Error) reject(result);
      else resolve(result);
    },
  };
}

export class BlobPrefetcher {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly readers = new Set<Readable>();
  private readonly controller = new AbortController();
  private failure: Error | undefined;

  constructor(private readonly init: PrefetchInit) {}

  /** Opens `descriptor`, and queues `ahead` (the blobs the consumer will want next) behind it. */
  async open(descriptor: Descriptor, ahead: readonly Descriptor[]): Promise<Readable> {
    if (this.failure) throw this.failure;
    const final = blobCachePath(this.init.cacheDir, descriptor.digest);
    if (!this.jobs.has(descriptor.digest)) {
      const cached = await openCachedFile(final, descriptor);
      if (cached) return this.track(cached);
    }
    const job = this.enqueue(descriptor, true);
    for (const next of ahead) this.enqueue(next, false);
    this.pump();
    const following = await this.follow(job);
    if (following) return this.track(following);
    const outcome = await job.outcome;
    const file = outcome === 'cached' ? await openCachedFile(final, descriptor) : undefined;
    // A cache deleted under us, or one we cannot write: read this blob from the network.
    return this.track(file ?? (await this.init.stream(descriptor)));
  }

  /**
   * A reader following the job's download once it has a temp file, so the consumer starts
   * on the first bytes; undefined when the job settled first (cached, or failed).
   */
  private async follow(job: Job): Promise<Readable | undefined> {
    const settled = job.outcome.then(
      () => true,
      () => true,
    );
    while (job.progress.temp === undefined) {
      if (await Promise.race([settled, job.progress.changed().then(() => false)])) return undefined;
    }
    // Gone already means renamed into place or removed on failure: the outcome says which.
    const file = await openFile(job.progress.temp, 'r').catch(() => undefined);
    return file && new FollowingReader(file, job.progress, () => this.init.stream(job.descriptor));
  }

  private enqueue(descriptor: Descriptor, first: boolean): Job {
    let job = this.jobs.get(descriptor.digest);
    if (!job) {
      job = newJob(descriptor, blobCachePath(this.init.cacheDir, descriptor.digest));
      this.jobs.set(descriptor.digest, job);
      if (first) this.queue.unshift(job);
      else this.queue.push(job);
    } else if (first && !job.started) {
      // The consumer needs it now: it jumps the fetch-ahead queue.
      this.queue.splice(this.queue.indexOf(job), 1);
      this.queue.unshift(job);
    }
    return job;
  }

  private pump(): void {
    while (!this.failure && this.running.size < this.init.concurrency) {
      const job = this.queue.shift();
      if (!job) return;
      this.start(job);
    }
  }

  private start(job: Job): void {
    job.started = true;
    const signal = this.controller.signal;
    const run = (async (): Promise<Outcome> => {
      if (await isCached(job.final, job.descriptor)) return 'cached';
      await this.init.download(job.descriptor, job.final, signal, job.progress);
      return 'cached';
    })()
      .then(
        (outcome) => job.settle(outcome),
        (err: unknown) => {
          if (err instanceof CacheWriteError && !signal.aborted) job.settle('uncached');
          else this.fail(err instanceof Error ? err : new Error(String(err)));
        },
      )
      .finally(() => {
        this.running.delete(run);
        this.pump();
      });
    this.running.add(run);
  }

  private fail(err: Error): void {
    // Aborted siblings report the same reason; the first failure is the one that counts.
    if (this.failure) return;
    this.failure = err;
    this.queue.length = 0;
    this.controller.abort(err);
    void Promise.allSettled([...this.running]).then(() => {
      for (const job of this.jobs.values()) job.settle(err);
      for (const reader of this.readers) reader.destroy(err);
    });
  }

  private track(stream: Readable): Readable {
    if (this.failure) {
      stream.destroy();
      throw this.failure;
    }
    this.readers.add(stream);
    stream.once('close', () => this.readers.delete(stream));
    return stream;
  }
}
