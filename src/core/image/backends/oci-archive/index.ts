import { tarFileSource } from '../../archive/file-source.js';
import { openOciLayout } from '../../archive/oci-layout.js';
import { splitPathAndRef } from '../../archive/path-ref.js';
import { TarIndex } from '../../archive/tar-index.js';
import { uncompressedTar } from '../../archive/uncompressed-tar.js';
import type { ImageBackend } from '../../open.js';

/** `oci-archive:<file>[:<tag>]`: an OCI layout inside a tar, read member by member without extracting. */
export const ociArchiveBackend: ImageBackend = {
  scheme: 'oci-archive',
  async open(spec, env, request) {
    const options = { limits: env.limits, tempDir: request.tempDir, signal: request.signal };
    const { path, ref } = await splitPathAndRef(spec.target, spec.input);
    const tar = await uncompressedTar(path, options, spec.input);
    const index = await TarIndex.open(tar, spec.input, options.limits.maxEntriesPerLayer);
    return openOciLayout(tarFileSource(index, spec.input), spec.input, ref, options);
  },
};
