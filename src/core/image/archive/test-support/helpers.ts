import { join } from 'node:path';
import { isPortcullisError, type PortcullisError } from '../../../errors.js';
import { openImage } from '../../open.js';
import { testImageOptions, type TestImageOptions } from '../../test-support/image-options.js';

/** Image options for local back-end tests whose temp and cache dirs live under `work`. */
export function testOpenOptions(work: string): TestImageOptions {
  return testImageOptions({ cacheDir: join(work, 'cache'), tempDir: work, registry: { timeoutMs: 5000 } });
}

/** Opens `source` and reads every layer; returns the PortcullisError that must occur on the way. */
export async function openFailure(source: string, options: TestImageOptions): Promise<PortcullisError> {
  let err: unknown;
  try {
    const image = await openImage(source, options.env, options.request);
    for (const layer of await image.layers()) for await (const _ of await layer.uncompressed());
  } catch (e) {
    err = e;
  }
  if (!isPortcullisError(err))
    throw new Error(`expected a PortcullisError from ${source}, got ${String(err)}`);
  return err;
}
