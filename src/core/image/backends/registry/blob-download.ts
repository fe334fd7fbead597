/**
 * Downloads one blob into the blob cache, resuming where a broken transfer stopped.
 *
 * Bytes go straight to a temp file (never held in memory) and into the digest as they
 * arrive. When the body breaks off (reset, dropped socket, stall, short body) the next
 * attempt asks for the rest with `Range: bytes=N-` and appends a 206 whose Content-Range
 * starts at N; a 200 (a server that ignores Range) starts the file over. The digest is
 * checked over the whole file at the end, so a wrong tail fails like any other corruption;
 * only then is the file renamed into place.
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PortcullisError } from '../../../errors.js';
import type { Descriptor } from '../../types.js';
import { blobTempPath } from './blob-cache.js';
import type { DownloadProgress } from './blob-follow.js';
import { backoffMs, isResumableBodyError, type HttpResponse } from './transport.js';

export interface BlobDownload {
  descriptor: Descriptor;
  /** Where the verified blob ends up (`blobCachePath`). */
  final: string;
  /** For messages: "blob sha256:… of registry:…". */
  what: string;
  /** Further attempts after a broken body. */
  retries: number;
  signal: AbortSignal;
  /** Opens the blob from `offset` (a Range request when > 0); refusals throw coded errors. */
  open(offset: number): Promise<HttpResponse>;
  /** Names a transport failure of a response from `url`. */
  mapError(err: unknown, url: URL): Error;
  /** Kept up to date for readers following the download. */
  progress: DownloadProgress;
}

/** The cache could not be written: the caller streams the blob uncached instead. */
export class CacheWriteError extends Error {}

const CONTENT_RANGE_RE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

/**
 * Where a response's body starts in the blob: 0 for a 200, `offset` for a 206 whose
 * Content-Range continues exactly there, undefined for a 206 that does not.
 */
function bodyStart(res: HttpResponse, offset: number, size: number): number | undefined {
  if (res.statusCode === 200) return 0;
  const header = res.headers['content-range'];
  const m = CONTENT_RANGE_RE.exec((Array.isArray(header) ? header[0] : header)?.trim() ?? '');
  if (!m) return undefined;
  const [start, end, total] = [Number(m[1]), Number(m[2]), m[3] === '*' ? size : Number(m[3])];
  const fits = size < 0 || (end === size - 1 && total === size);
  return start === offset && fits ? offset : undefined;
}

const fsFailure = (what: string, err: unknown) =>
  new CacheWriteError(`${what}: cannot write the blob cache`, { cause: err });

/** Bytes gathered before each write: a few large writes cost far less than many small ones. */
const WRITE_BATCH = 1024 * 1024;

/**
 * Writes a body to the temp file in batches, one write in flight while the next batch
 * arrives, so disk and network overlap; at most two batches are held in memory.
 */
class BatchedWriter {
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly file: FileHandle,
    private position: number,
    private readonly what: string,
    private readonly onWritten: (written: number) => void,
  ) {}

  async add(chunk: Buffer): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    // The count bound keeps a body of tiny chunks from building a huge iovec.
    if (this.batchBytes >= WRITE_BATCH || this.batch.length >= 256) await this.write();
  }

  async flush(): Promise<void> {
    await this.write();
    await this.settle();
  }

  private async settle(): Promise<void> {
    await this.inFlight;
    if (this.failure !== undefined) throw fsFailure(this.what, this.failure);
  }

  private async write(): Promise<void> {
    await this.settle();
    if (this.batchBytes === 0) return;
    const buffers = this.batch;
    const length = this.batchBytes;
    const at = this.position;
    this.position += length;
    this.batch = [];
    this.batchBytes = 0;
    // writev: the chunks go out as they are, without copying them into one buffer first.
    // Never left rejecting: a failure is kept and thrown by the next add or flush.
    this.inFlight = this.file.writev(buffers, at).then(
      ({ bytesWritten }) => {
        if (bytesWritten !== length)
          this.failure = new Error(`short write: ${bytesWritten} of ${length} bytes`);
        else this.onWritten(at + length);
      },
      (err: unknown) => {
        this.failure = err;
      },
    );
  }
}

class Download {
  private file: FileHandle | undefined;
  private readonly temp: string;
  private written = 0;
  private hash: Hash;
  /** Where the last resumed request started, for the error if the digest then fails. */
  private resumedAt: number | undefined;
  /** The network error that broke the last body off; undefined when it just ended short. */
  private lastBreak: unknown;

  constructor(private readonly job: BlobDownload) {
    this.temp = blobTempPath(job.final);
    this.hash = this.newHash();
  }

  private newHash(): Hash {
    return createHash(this.job.descriptor.digest.startsWith('sha512:') ? 'sha512' : 'sha256');
  }

  private async restart(): Promise<void> {
    // Followers learn first, so none reads past the end of the file being truncated.
    this.job.progress.update({ written: 0 });
    await this.file?.truncate(0).catch((err: unknown) => {
      throw fsFailure(this.job.what, err);
    });
    this.written = 0;
    this.hash = this.newHash();
    this.resumedAt = undefined;
  }

  /** Appends one response body; false when it broke off in a way worth resuming. */
  private async append(res: HttpResponse, file: FileHandle): Promise<boolean> {
    const { descriptor, what, progress } = this.job;
    const writer = new BatchedWriter(file, this.written, what, (written) => {
      this.written = written;
      progress.update({ written });
    });
    let received = this.written;
    let broke: unknown;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (descriptor.size >= 0 && received + chunk.length > descriptor.size) {
          throw new PortcullisError(
            'DIGEST_MISMATCH',
            `${what}: more than the ${descriptor.size} bytes announced`,
            { details: { expected: descriptor.digest, size: descriptor.size } },
          );
        }
        this.hash.update(chunk);
        received += chunk.length;
        await writer.add(chunk);
      }
    } catch (err) {
      res.body.destroy();
      if (this.job.signal.aborted) throw this.job.signal.reason;
      if (err instanceof PortcullisError || err instanceof CacheWriteError) throw err;
      if (!isResumableBodyError(err)) throw this.job.mapError(err, res.url);
      broke = err;
    }
    // What arrived before a break is good: it is kept, and the resume starts after it.
    await writer.flush();
    this.lastBreak = broke;
    return broke === undefined && (descriptor.size < 0 || this.written === descriptor.size);
  }

  /** What to report when the retries run out: the network error, or the short body. */
  private brokenError(url: URL): Error {
    if (this.lastBreak !== undefined) return this.job.mapError(this.lastBreak, url);
    const { descriptor, what } = this.job;
    return new PortcullisError(
      'REGISTRY_PROTOCOL',
      `${what}: the body ended after ${this.written} of ${descriptor.size} bytes, ${this.job.retries + 1} times`,
      { details: { url: url.href, received: this.written, size: descriptor.size } },
    );
  }

  async run(): Promise<void> {
    const { descriptor, final, what, signal } = this.job;
    try {
      this.file = await mkdir(dirname(final), { recursive: true })
        .then(() => open(this.temp, 'wx'))
        .catch((err: unknown) => {
          throw fsFailure(what, err);
        });
      this.job.progress.update({ temp: this.temp });
      for (let attempt = 0; ; attempt++) {
        signal.throwIfAborted();
        // Every byte arrived before the connection broke: a Range past the end would get a 416.
        if (attempt > 0 && this.written === descriptor.size) break;
        const res = await this.job.open(this.written);
        const start = bodyStart(res, this.written, descriptor.size);
        if (start === undefined) {
          // A 206 for some other range: nothing of it can be trusted to fit, so start over.
          const got = String(res.headers['content-range'] ?? 'none');
          await res.body.dump().catch(() => undefined);
          if (attempt >= this.job.retries) {
            throw new PortcullisError(
              'REGISTRY_PROTOCOL',
              `${what}: asked for bytes ${this.written}- and got Content-Range ${got.slice(0, 100)}`,
              { details: { url: res.url.href, offset: this.written } },
            );
          }
          await this.restart();
          continue;
        }
        if (start === 0 && this.written > 0) await this.restart();
        if (start > 0) this.resumedAt = start;
        if (await this.append(res, this.file)) break;
        if (attempt >= this.job.retries) throw this.brokenError(res.url);
        await sleep(backoffMs(attempt), undefined, { signal });
      }
      this.verify();
      // Followers hold the file open, so they can finish even if the rename below fails.
      this.job.progress.update({ state: 'done' });
      const file = this.file;
      this.file = undefined;
      await file
        .close()
        .then(() => rename(this.temp, final))
        .catch((err: unknown) => {
          throw fsFailure(what, err);
        });
    } catch (err) {
      await this.file?.close().catch(() => undefined);
      await unlink(this.temp).catch(() => undefined);
      const { progress } = this.job;
      if (progress.state !== 'done') {
        const uncached = err instanceof CacheWriteError && !signal.aborted;
        progress.update({ state: uncached ? 'uncached' : 'failed' });
      }
      // An abort during a retry wait surfaces as AbortError; report why we were cancelled.
      throw signal.aborted ? signal.reason : err;
    }
  }

  private verify(): void {
    const { descriptor, what } = this.job;
    const algorithm = descriptor.digest.slice(0, descriptor.digest.indexOf(':'));
    const actual = `${algorithm}:${this.hash.digest('hex')}`;
    if (actual === descriptor.digest) return;
    const resumed = this.resumedAt === undefined ? '' : ` (the download resumed at byte ${this.resumedAt})`;
    throw new PortcullisError(
      'DIGEST_MISMATCH',
      `${what}: digest ${actual} does not match ${descriptor.digest}${resumed}`,
      { details: { expected: descriptor.digest, actual, resumedAt: this.resumedAt } },
    );
  }
}

/** Downloads `job.descriptor` into `job.final`; on any failure no temp file is left. */
export function downloadBlob(job: BlobDownload): Promise<void> {
  return new Download(job).run();
}
