/**
 * Reads file contents for many entries with one pass over each layer that holds any of them,
 * matching tar entries by ordinal (no path work per entry). A layer's pass stops as soon as
 * its last wanted entry was read.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PortcullisError } from '../errors.js';
import { decompressor } from '../image/decompress.js';
import type { ImageLimits } from '../image/options.js';
import { normalizeEntryPath } from './paths.js';
import type { IndexedEntry } from './squash.js';
import { describeLayer, walkLayer, type EntryBody, type LayerRef, type WalkControl } from './tar-walk.js';
import type { FsEntry, ReadFilesOptions } from './types.js';

export type FileVisitor = (entry: FsEntry, content: Buffer | Readable) => void | Promise<void>;

export interface ReadContext {
  refs: readonly LayerRef[];
  limits: ImageLimits;
  /** Private scratch directory (OpenOptions.tempDir) for spills. */
  tempDir: string;
  /** The tar path each layer recorded at an ordinal, to check a re-read layer is the same one. */
  pathAt(layer: number, ordinal: number): string | undefined;
}

const DEFAULT_STREAM_ABOVE = 16 * 1024 * 1024;

export async function readEntries(
  ctx: ReadContext,
  wanted: readonly IndexedEntry[],
  visitor: FileVisitor,
  options: ReadFilesOptions = {},
): Promise<void> {
  const byLayer = new Map<number, Map<number, IndexedEntry[]>>();
  for (const entry of wanted) {
    if (entry.contentLayer < 0) continue;
    let layer = byLayer.get(entry.contentLayer);
    if (!layer) byLayer.set(entry.contentLayer, (layer = new Map()));
    const list = layer.get(entry.contentOrdinal);
    if (list) list.push(entry);
    else layer.set(entry.contentOrdinal, [entry]);
  }
  const maxBytes = options.maxFileBytes ?? Number.POSITIVE_INFINITY;
  const streamAbove = options.streamAboveBytes ?? DEFAULT_STREAM_ABOVE;
  for (const index of [...byLayer.keys()].sort((a, b) => a - b)) {
    const ref = ctx.refs[index] as LayerRef;
    const pending = byLayer.get(index) as Map<number, IndexedEntry[]>;
    await walkLayer(
      ref,
      ctx.limits,
      (header, body, ordinal, control) => {
        const entries = pending.get(ordinal);
        if (entries === undefined) {
          body.on('end', control.next);
          body.resume();
          return;
        }
        pending.delete(ordinal);
        const afterwards = pending.size === 0 ? control.stop : control.next;
        if (normalizeEntryPath(header.name) !== ctx.pathAt(index, ordinal)) {
          control.fail(
            new PortcullisError(
              'CORRUPT_LAYER',
              `${describeLayer(ref)} changed since it was indexed: entry ${ordinal} is "${header.name}"`,
              { details: { image: ref.image, layer: index, digest: ref.layer.digest, path: header.name } },
            ),
          );
          return;
        }
        const size = header.size ?? 0;
        if (size > maxBytes) {
          for (const e of entries) options.onSkip?.(e, `${size} bytes is over the ${maxBytes}-byte cap`);
          body.on('end', afterwards);
          body.resume();
          return;
        }
        if (size <= streamAbove) deliverBuffer(body, entries, visitor, afterwards, control);
        else deliverStream(ctx, body, entries, visitor, afterwards, control);
      },
      () => reopen(ref, ctx.limits),
    );
    if (pending.size > 0) {
      throw new PortcullisError(
        'CORRUPT_LAYER',
        `${describeLayer(ref)} changed since it was indexed: it ended before ${pending.size} indexed entries`,
        { details: { image: ref.image, layer: index, digest: ref.layer.digest } },
      );
    }
  }
}

/**
 * The layer's tar for a second read: blob digest checked, bomb guard on, but no second diffID
 * hash. The index pass already hashed this very tar against the diffID, and the same blob
 * (same digest) always inflates to the same tar; skipping it halves the hashing of a read.
 */
async function reopen(ref: LayerRef, limits: ImageLimits): Promise<Readable> {
  const source = await ref.layer.compressed();
  const { input, output } = decompressor(ref.layer.compression, limits, describeLayer(ref));
  source.on('error', (err) => output.destroy(err));
  // A pass that stops early destroys `output`; close the blob too, or its file stays open.
  output.on('close', () => source.destroy());
  source.pipe(input);
  return output;
}

/** Small files: collect, then call the visitor synchronously unless it returns a promise. */
function deliverBuffer(
  body: EntryBody,
  entries: readonly IndexedEntry[],
  visitor: FileVisitor,
  afterwards: () => void,
  control: WalkControl,
): void {
  const chunks: Buffer[] = [];
  body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  body.on('end', () => {
    const content = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    visitAll(entries, content, visitor, afterwards, control.fail);
  });
  body.resume();
}

/** Calls the visitor for each entry, awaiting only visitors that return a promise. */
function visitAll(
  entries: readonly IndexedEntry[],
  content: Buffer,
  visitor: FileVisitor,
  done: () => void,
  fail: (err: unknown) => void,
): void {
  let i = 0;
  const step = (): void => {
    while (i < entries.length) {
      let result: void | Promise<void>;
      try {
        result = visitor(entries[i++] as IndexedEntry, content);
      } catch (err) {
        fail(err);
        return;
      }
      if (result instanceof Promise) {
        result.then(step, fail);
        return;
      }
    }
    done();
  };
  step();
}

/**
 * Large files go to the visitor as a stream. Hard links sharing the bytes each need their own
 * stream, and a tar can be read only once, so then (and only then) the bytes are spilled to
 * the private temp dir and removed right after.
 */
function deliverStream(
  ctx: ReadContext,
  body: EntryBody,
  entries: readonly IndexedEntry[],
  visitor: FileVisitor,
  afterwards: () => void,
  control: WalkControl,
): void {
  const run = async (): Promise<void> => {
    if (entries.length === 1) {
      const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
      body.pipe(stream);
      await visitor(entries[0] as IndexedEntry, stream);
      // Whatever the visitor left unread is drained so the tar can move on.
      if (stream.destroyed) {
        body.resume();
        return;
      }
      stream.resume();
      if (!stream.readableEnded) {
        await new Promise((resolve) => {
          stream.once('end', resolve);
          stream.once('close', resolve);
        });
      }
      return;
    }
    const dir = await mkdtemp(join(ctx.tempDir, 'spill-'));
    try {
      const file = join(dir, 'content');
      await pipeline(body as unknown as Readable, createWriteStream(file));
      for (const e of entries) await visitor(e, createReadStream(file));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  run().then(afterwards, control.fail);
}
