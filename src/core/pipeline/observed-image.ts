/** An image that tells the observer when each of its layers starts streaming. */
import type { Image } from '../image/types.js';
import type { PipelineObserver } from './ports.js';

export function observedImage(image: Image, observer: PipelineObserver | undefined): Image {
  const layerStarted = observer?.layerStarted?.bind(observer);
  if (!layerStarted) return image;
  return {
    ...image,
    async layers() {
      const layers = await image.layers();
      return layers.map((layer, index) => ({
        digest: layer.digest,
        diffId: layer.diffId,
        size: layer.size,
        mediaType: layer.mediaType,
        compression: layer.compression,
        compressed: () => layer.compressed(),
        uncompressed: () => {
          layerStarted({ source: image.source, index, total: layers.length, diffId: layer.diffId });
          return layer.uncompressed();
        },
      }));
    },
  };
}
