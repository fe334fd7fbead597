import type { Cataloger } from '../types.js';
import { dpkgStatusDParser, dpkgStatusParser } from './parse-status.js';

export const dpkgCataloger: Cataloger = {
  id: 'dpkg-db',
  // 2: licence exceptions with an SPDX id become `WITH` expressions.
  version: 2,
  ecosystem: 'dpkg',
  packageDatabase: true,
  parsers: [dpkgStatusParser, dpkgStatusDParser],
};
