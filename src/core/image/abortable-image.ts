/**
 * An image whose reads stop when a request is cancelled: every layer stream (compressed or
 * not) is destroyed with ABORTED when the signal fires, which stops the download,
 * decompression and tar parsing that read from it. `open.ts` wraps every image it returns.
 */
import { abortable, throwIfAborted } from '../abort.js';
import type { Image, Layer } from './types.js';

function abortableLayer(layer: Layer, signal: AbortSignal, what: string): Layer {
  return {
    digest: layer.digest,
    diffId: layer.diffId,
    size: layer.size,
    mediaType: layer.mediaType,
    compression: layer.compression,
    async compressed() {
      throwIfAborted(signal, what);
      return abortable(await layer.compressed(), signal, what);
    },
    async uncompressed() {
      throwIfAborted(signal, what);
      return abortable(await layer.uncompressed(), signal, what);
    },
  };
}

export function abortableImage(image: Image, signal: AbortSignal | undefined): Image {
  if (!signal) return image;
  const what = `reading ${image.source}`;
  return {
    ...image,
    async layers() {
      throwIfAborted(signal, what);
      return (await image.layers()).map((layer) => abortableLayer(layer, signal, what));
    },
  };
}
