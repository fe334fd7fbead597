/**
 * Bounded file reading for feeds: whole documents (optionally gzip) with a size ceiling, lines
 * of a (gzip) text file as a stream, and a bounded directory walk. A truncated or corrupt gzip
 * is a FEED_CORRUPT error naming the file, so the caller keeps its previous data.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PortcullisError } from '../../errors.js';

/** The largest decompressed document we accept (the live Debian tracker JSON is ~70 MiB). */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

const isGzip = (file: string): boolean => file.endsWith('.gz');

function corrupt(file: string, err: unknown): PortcullisError {
  if (err instanceof PortcullisError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PortcullisError('FEED_CORRUPT', `${file}: cannot read feed file: ${message}`, {
    cause: err,
    details: { file },
  });
}

class ByteLimit extends Transform {
  private seen = 0;
  constructor(
    private readonly file: string,
    private readonly maxBytes: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) {
      done(
        new PortcullisError(
          'SIZE_LIMIT',
          `${this.file}: larger than ${this.maxBytes} bytes once decompressed`,
          {
            details: { file: this.file },
          },
        ),
      );
      return;
    }
    done(null, chunk);
  }
}

/** The file's bytes, gunzipped when it ends in `.gz`, as a stream with every error named. */
export function openFeedStream(file: string, maxBytes = MAX_DOCUMENT_BYTES, gzip = isGzip(file)): Readable {
  const raw = createReadStream(file);
  const limit = new ByteLimit(file, maxBytes);
  const fail = (err: unknown): void => {
    limit.destroy(corrupt(file, err));
  };
  raw.on('error', (err: NodeJS.ErrnoException) =>
    limit.destroy(
      err.code === 'ENOENT'
        ? new PortcullisError('NOT_FOUND', `${file}: no such feed file`, { details: { file } })
        : corrupt(file, err),
    ),
  );
  if (!gzip) return raw.pipe(limit);
  const gunzip = createGunzip();
  gunzip.on('error', (err) => fail(new Error(`gzip data is truncated or corrupt (${err.message})`)));
  return raw.pipe(gunzip).pipe(limit);
}

/** The whole (decompressed) file as text. */
export async function readFeedText(file: string, maxBytes = MAX_DOCUMENT_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of openFeedStream(file, maxBytes)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a whole JSON document; invalid JSON makes the file unreadable, not a skipped record. */
export async function readFeedJson(file: string, maxBytes = MAX_DOCUMENT_BYTES): Promise<unknown> {
  const text = await readFeedText(file, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PortcullisError('FEED_CORRUPT', `${file}: not valid JSON: ${(err as Error).message}`, {
      cause: err,
      details: { file },
    });
  }
}

/**
 * Lines of a (gzip) text file, streamed in batches (one array per chunk read) because a
 * per-line async iteration costs more than parsing a 360,000-row CSV. The last line may lack
 * a newline; `\r\n` endings are trimmed.
 */
export async function* feedLineBatches(
  file: string,
  maxBytes = MAX_DOCUMENT_BYTES,
): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of openFeedStream(file, maxBytes)) {
    const text = carry + decoder.write(chunk as Buffer);
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    yield lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }
  const rest = carry + decoder.end();
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/** Files under `dir` (recursively, sorted, at most `maxFiles`) whose path passes `accept`. */
export async function walkFiles(
  dir: string,
  accept: (relativePath: string) => boolean,
  maxFiles = 2_000_000,
): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, relative: string, depth: number): Promise<void> {
    if (depth > 16) return;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (err) {
      throw new PortcullisError('NOT_FOUND', `${current}: cannot list feed directory`, {
        cause: err,
        details: { dir: current },
      });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(current, entry.name), rel, depth + 1);
      else if (entry.isFile() && accept(rel)) {
        if (found.length >= maxFiles) {
          throw new PortcullisError('SIZE_LIMIT', `${dir}: more than ${maxFiles} feed files`, {
            details: { dir },
          });
        }
        found.push(join(current, entry.name));
      }
    }
  }
  await walk(dir, '', 0);
  return found;
}
