import { PortcullisError } from '../../../errors.js';
import type { ImageBackend } from '../../open.js';

// Placeholder until this back-end lands in this session; replaced, never shipped.
export const ociArchiveBackend: ImageBackend = {
  scheme: 'oci-archive',
  async open(spec) {
    throw new PortcullisError(
      'UNSUPPORTED_SOURCE',
      `${spec.input}: the oci-archive back-end is not built yet`,
    );
  },
};
