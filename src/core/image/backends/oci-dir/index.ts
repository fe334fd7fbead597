import { stat } from 'node:fs/promises';
import { PortcullisError } from '../../../errors.js';
import { directoryFileSource } from '../../archive/file-source.js';
import { openOciLayout } from '../../archive/oci-layout.js';
import { splitPathAndRef } from '../../archive/path-ref.js';
import type { ImageBackend } from '../../open.js';

/** `oci-dir:<dir>[:<tag>]`: an OCI image layout directory; the tag is matched against ref.name annotations. */
export const ociDirBackend: ImageBackend = {
  scheme: 'oci-dir',
  async open(spec, env) {
    const options = env;
    const { path, ref } = await splitPathAndRef(spec.target, spec.input);
    if (!(await stat(path)).isDirectory()) {
      throw new PortcullisError('INVALID_ARGUMENT', `${spec.input}: ${path} is not a directory`, {
        details: { path },
      });
    }
    return openOciLayout(directoryFileSource(path, spec.input), spec.input, ref, options);
  },
};
