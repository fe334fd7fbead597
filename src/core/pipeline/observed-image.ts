/** An image that tells the observer when each of its layers starts streaming, and how far it got. */
import { PassThrough, type Readable } from 'node:stream';
import type { Image } from '../image/types.js';
import type { PipelineObserver } from './ports.js';

type LayerBytes = NonNullable<PipelineObserver['layerBytes']>;

/** `stream`, counted: the observer hears the running total of bytes that went through. */
function counted(stream: Readable, report: (bytes: number) => void): Readable {
  let bytes = 0;
  const counter = new PassThrough({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      report(bytes);
      callback(null, chunk);
    },
  });
  // An error of the source must reach the reader, as it would without the counter.
  stream.once('error', (err) => counter.destroy(err));
  counter.once('close', () => {
    if (!stream.destroyed) stream.destroy();
  });
  return stream.pipe(counter);
}

export function observedImage(image: Image, observer: PipelineObserver | undefined): Image {
  const layerStarted = observer?.layerStarted?.bind(observer);
  const layerBytes: LayerBytes | undefined = observer?.layerBytes?.bind(observer);
  if (!layerStarted && !layerBytes) return image;
  return {
    ...image,
    async layers() {
      const layers = await image.layers();
      const total = layers.length;
      return layers.map((layer, index) => ({
        digest: layer.digest,
        diffId: layer.diffId,
        size: layer.size,
        mediaType: layer.mediaType,
        compression: layer.compression,
        compressed: () => layer.compressed(),
        uncompressed: async () => {
          layerStarted?.({ source: image.source, index, total, diffId: layer.diffId });
          const stream = await layer.uncompressed();
          if (!layerBytes) return stream;
          return counted(stream, (bytes) => layerBytes({ source: image.source, index, total, bytes }));
        },
      }));
    },
  };
}
