import { PortcullisError } from '../../../errors.js';
import type { ImageBackend } from '../../open.js';

// Placeholder until this back-end lands in this session; replaced, never shipped.
export const dockerDaemonBackend: ImageBackend = {
  scheme: 'docker',
  async open(spec) {
    throw new PortcullisError('UNSUPPORTED_SOURCE', `${spec.input}: the docker back-end is not built yet`);
  },
};
