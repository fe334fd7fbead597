import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../image/options.js';
import type { Image, Layer } from '../../image/types.js';
import { LayeredFilesystem } from '../layered-filesystem.js';
import { imageFromEntries, type TestCompression, type TestEntry } from './build-image.js';

/** Opens a LayeredFilesystem over layers given as entry lists. */
export async function fsOf(
  layers: readonly (readonly TestEntry[])[],
  compression: TestCompression = 'gzip',
): Promise<LayeredFilesystem> {
  const image = await imageFromEntries(layers, compression);
  return LayeredFilesystem.fromImage(image, {
    limits: DEFAULT_LIMITS,
    tempDir: await mkdtemp(join(tmpdir(), 'pc-fs-')),
  });
}

/** Wraps an image so tests can count how often each layer's blob is opened (either stream). */
export function countingImage(image: Image): { image: Image; opens: number[] } {
  const opens: number[] = [];
  const wrapped: Image = {
    ...image,
    layers: async () =>
      (await image.layers()).map((layer, i): Layer => {
        opens[i] = 0;
        return {
          ...layer,
          compressed: () => {
            opens[i] = (opens[i] ?? 0) + 1;
            return layer.compressed();
          },
          uncompressed: () => {
            opens[i] = (opens[i] ?? 0) + 1;
            return layer.uncompressed();
          },
        };
      }),
  };
  return { image: wrapped, opens };
}
