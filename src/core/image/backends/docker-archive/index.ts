import { splitPathAndRef } from '../../archive/path-ref.js';
import { uncompressedTar } from '../../archive/uncompressed-tar.js';
import type { ImageBackend } from '../../open.js';
import { openDockerArchive } from './open-archive.js';

/** `docker-archive:<file>[:<repo:tag>]`: `docker save` output (plain or gzip-compressed). */
export const dockerArchiveBackend: ImageBackend = {
  scheme: 'docker-archive',
  async open(spec, env, request) {
    const options = { limits: env.limits, tempDir: request.tempDir, signal: request.signal };
    const { path, ref } = await splitPathAndRef(spec.target, spec.input);
    const tar = await uncompressedTar(path, options, spec.input);
    return { kind: 'image', image: await openDockerArchive(tar, ref, spec.input, options) };
  },
};
