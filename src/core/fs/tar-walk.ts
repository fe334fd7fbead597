/**
 * Streams one layer's tar through tar-stream with plain callbacks (no Promise per entry: a
 * Debian layer has tens of thousands of entries) and turns every failure into a
 * PortcullisError naming the image, the layer and the entry being read.
 */
import type { Readable } from 'node:stream';
import { extract as tarExtract, type ExtractEvents, type Header } from 'tar-stream';
import { PortcullisError } from '../errors.js';
import type { ImageLimits } from '../image/options.js';
import type { Layer } from '../image/types.js';

export interface LayerRef {
  /** Image source, for messages. */
  readonly image: string;
  readonly index: number;
  readonly layer: Layer;
}

export interface WalkControl {
  /** Continue with the next entry (the body must be consumed or resumed first). */
  next(): void;
  /** Stop reading this layer; the walk resolves. */
  stop(): void;
  /** Abort the walk with this error, passed through as it is. */
  fail(err: unknown): void;
}

/** An entry's body: tar-stream's own (streamx) readable. */
export type EntryBody = ExtractEvents['entry'][1];

export type EntryHandler = (header: Header, body: EntryBody, ordinal: number, control: WalkControl) => void;

export function describeLayer(ref: LayerRef): string {
  return `${ref.image} layer ${ref.index} (${ref.layer.digest})`;
}

/** The image limits a layer walk enforces itself. */
export type WalkLimits = Pick<ImageLimits, 'maxEntriesPerLayer' | 'maxLayerBytes'>;

const BLOCK = 512;

/**
 * Streams `ref`'s tar (from `open`, by default the layer's verified uncompressed stream) and
 * calls `onEntry` for each entry, one at a time. An entry whose header declares more bytes
 * than the layer may hold is refused at its header, before one byte of its body is read:
 * the decompression guard would stop it too, but only after streaming up to the limit.
 */
export function walkLayer(
  ref: LayerRef,
  limits: WalkLimits,
  onEntry: EntryHandler,
  open: () => Promise<Readable> = () => ref.layer.uncompressed(),
): Promise<void> {
  return new Promise((resolve, reject) => {
    let source: Readable | undefined;
    const extract = tarExtract();
    let settled = false;
    let current: string | undefined;
    let inBody = false;
    let ordinal = 0;
    // A lower bound of the uncompressed layer's size up to the end of the current entry.
    let declared = 0;

    const finish = (err?: unknown, passThrough = false): void => {
      if (settled) return;
      settled = true;
      source?.unpipe();
      source?.destroy();
      extract.destroy();
      if (err === undefined) resolve();
      else reject(passThrough ? err : wrapError(err, ref, current, inBody));
    };
    const control = (): WalkControl => {
      let called = false;
      return {
        next: () => {
          if (called || settled) return;
          called = true;
          inBody = false;
          nextCb?.();
        },
        stop: () => finish(),
        fail: (err) => finish(err, true),
      };
    };
    let nextCb: (() => void) | undefined;

    extract.on('entry', (header: Header, body: EntryBody, next: () => void) => {
      if (settled) return;
      current = header.name;
      inBody = true;
      nextCb = next;
      const details = { image: ref.image, layer: ref.index, digest: ref.layer.digest };
      if (++ordinal > limits.maxEntriesPerLayer) {
        finish(
          new PortcullisError(
            'SIZE_LIMIT',
            `${describeLayer(ref)} has more than the ${limits.maxEntriesPerLayer}-entry limit`,
            { details: { ...details, limit: limits.maxEntriesPerLayer } },
          ),
          true,
        );
        return;
      }
      const size = header.size ?? 0;
      declared += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
      if (declared > limits.maxLayerBytes) {
        finish(
          new PortcullisError(
            'SIZE_LIMIT',
            `${describeLayer(ref)}: entry "${header.name}" declares ${size} bytes, so the layer exceeds the ${limits.maxLayerBytes}-byte limit; refused before reading it`,
            { details: { ...details, path: header.name, size, limit: limits.maxLayerBytes } },
          ),
          true,
        );
        return;
      }
      body.on('error', (err: Error) => finish(err));
      try {
        onEntry(header, body, ordinal - 1, control());
      } catch (err) {
        finish(err, true);
      }
    });
    extract.on('finish', () => finish());
    extract.on('error', (err: Error) => finish(err));

    open().then(
      (stream) => {
        if (settled) {
          stream.destroy();
          return;
        }
        source = stream;
        stream.on('error', (err) => finish(err));
        stream.pipe(extract as unknown as NodeJS.WritableStream);
      },
      (err: unknown) => finish(err),
    );
  });
}

function wrapError(err: unknown, ref: LayerRef, path: string | undefined, inBody: boolean): PortcullisError {
  const at = path === undefined ? '' : inBody ? ` while reading "${path}"` : ` after entry "${path}"`;
  const details = {
    image: ref.image,
    layer: ref.index,
    digest: ref.layer.digest,
    ...(path === undefined ? {} : { path }),
  };
  if (err instanceof PortcullisError) {
    return new PortcullisError(err.code, `${err.message}${at}`, {
      cause: err,
      details: { ...err.details, ...details },
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PortcullisError('CORRUPT_LAYER', `${describeLayer(ref)}: tar is corrupt${at}: ${message}`, {
    cause: err,
    details,
  });
}
