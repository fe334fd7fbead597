import type { Cataloger } from '../types.js';
import { dpkgStatusDParser, dpkgStatusParser } from './parse-status.js';

export const dpkgCataloger: Cataloger = {
  id: 'dpkg-db',
  version: 1,
  ecosystem: 'dpkg',
  parsers: [dpkgStatusParser, dpkgStatusDParser],
};
