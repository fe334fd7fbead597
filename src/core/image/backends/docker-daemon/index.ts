import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageBackend } from '../../open.js';
import { openDockerArchive } from '../docker-archive/open-archive.js';
import { inspectImage, saveImage } from './engine-api.js';

/**
 * `docker:<ref>`: an image in the local Docker daemon. The Engine API has no per-blob access,
 * so the image is exported once (`/images/{name}/get`) into the private temp dir and read as a
 * docker archive from there.
 */
export const dockerDaemonBackend: ImageBackend = {
  scheme: 'docker',
  async open(spec, env, request) {
    const name = spec.target;
    const timeoutMs = env.registry.timeoutMs;
    await inspectImage(env.dockerHost, name, spec.input, timeoutMs);
    const file = join(request.tempDir, `docker-save-${randomUUID()}.tar`);
    try {
      await saveImage(env.dockerHost, name, file, spec.input, {
        timeoutMs,
        maxBytes: env.limits.maxLayerBytes,
      });
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    // The export holds just this image, so no tag selection is needed (and an ID has none).
    return { kind: 'image', image: await openDockerArchive(file, undefined, spec.input, env) };
  },
};
