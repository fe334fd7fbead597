import type { Cataloger } from '../types.js';
import { apkInstalledParser } from './parse-installed.js';

export const apkCataloger: Cataloger = {
  id: 'apk-db',
  version: 1,
  ecosystem: 'apk',
  packageDatabase: true,
  parsers: [apkInstalledParser],
};
