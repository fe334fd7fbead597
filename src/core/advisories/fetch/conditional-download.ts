/**
 * Downloads one upstream file with conditional requests. The ETag and Last-Modified of the
 * last good download are remembered in a small JSON state file; a 304 keeps the local copy.
 * The body is written to a temporary file next to the target, checked (length, caller's
 * `verify`), then renamed over the target: a download that fails midway never replaces the
 * previous file.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fetch } from 'undici';
import { z } from 'zod';
import { PortcullisError } from '../../errors.js';

export interface HttpOptions {
  timeoutMs: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  userAgent: string;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = Object.freeze({
  timeoutMs: 300_000,
  maxBytes: 2 * 1024 * 1024 * 1024,
  userAgent: 'portcullis (+https://github.com/portcullis)',
});

const fileState = z.object({
  url: z.string(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  fetchedAt: z.string(),
  bytes: z.number(),
});

export type FileFetchState = z.infer<typeof fileState>;

export const fetchStateSchema = z.object({
  files: z.record(z.string(), fileState),
  lastRun: z.object({ lastSync: z.string(), records: z.number(), sourceVersion: z.string() }).optional(),
});

export type FetchState = z.infer<typeof fetchStateSchema>;

/** Reads a state file; a missing or unreadable one means "nothing known" (a full download). */
export async function loadFetchState(path: string): Promise<FetchState> {
  try {
    const parsed = fetchStateSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // No state yet, or a torn write from a crash: both mean start over.
  }
  return { files: {} };
}

/** Writes the state atomically (temp file + rename), so it never tears. */
export async function saveFetchState(path: string, state: FetchState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, path);
}

class LengthGuard extends Transform {
  bytes = 0;
  constructor(
    private readonly url: string,
    private readonly maxBytes: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(
        new PortcullisError('SIZE_LIMIT', `${this.url}: body larger than ${this.maxBytes} bytes`, {
          details: { url: this.url },
        }),
      );
      return;
    }
    done(null, chunk);
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

export interface DownloadResult {
  status: 'downloaded' | 'not-modified';
  state: FileFetchState;
}

/**
 * GETs `url` into `dest`. `previous` is what the state file knew about `dest`; conditional
 * headers are sent only when `dest` still exists. `verify` may reject a complete but unusable
 * body (e.g. a gzip that does not inflate) before it replaces `dest`.
 */
export async function conditionalDownload(
  url: string,
  dest: string,
  previous: FileFetchState | undefined,
  options: HttpOptions = DEFAULT_HTTP_OPTIONS,
  verify?: (tmpFile: string) => Promise<void>,
  now: () => Date = () => new Date(),
): Promise<DownloadResult> {
  const headers: Record<string, string> = { 'user-agent': options.userAgent, 'accept-encoding': 'identity' };
  const conditional = previous && previous.url === url && (await exists(dest));
  if (conditional && previous.etag) headers['if-none-match'] = previous.etag;
  if (conditional && previous.lastModified) headers['if-modified-since'] = previous.lastModified;
  let response;
  try {
    response = await fetch(url, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    throw new PortcullisError('FEED_FETCH', `${url}: request failed: ${(err as Error).message}`, {
      cause: err,
      details: { url },
    });
  }
  if (response.status === 304 && conditional) {
    await response.body?.cancel();
    return { status: 'not-modified', state: { ...previous, fetchedAt: now().toISOString() } };
  }
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel();
    throw new PortcullisError('FEED_FETCH', `${url}: HTTP ${response.status}`, {
      details: { url, status: response.status },
    });
  }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${randomBytes(6).toString('hex')}.partial`;
  const guard = new LengthGuard(url, options.maxBytes);
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), guard, createWriteStream(tmp));
    const declared = response.headers.get('content-length');
    if (declared !== null && Number(declared) !== guard.bytes) {
      throw new Error(`received ${guard.bytes} of ${declared} bytes`);
    }
    if (verify) await verify(tmp);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof PortcullisError) throw err;
    throw new PortcullisError(
      'FEED_FETCH',
      `${url}: download failed, previous copy kept: ${(err as Error).message}`,
      {
        cause: err,
        details: { url, dest },
      },
    );
  }
  const state: FileFetchState = { url, fetchedAt: now().toISOString(), bytes: guard.bytes };
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  if (etag) state.etag = etag;
  if (lastModified) state.lastModified = lastModified;
  return { status: 'downloaded', state };
}
