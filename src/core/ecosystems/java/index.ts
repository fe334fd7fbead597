import type { Cataloger } from '../types.js';
import { parseJavaArchive } from './parse-java-archive.js';

/** Java archives; nested archives are read from memory inside the parser, within limits. */
export const javaArchiveCataloger: Cataloger = {
  id: 'java-archive',
  // 2: licence names that denote one SPDX licence are recorded as its id.
  version: 2,
  ecosystem: 'java',
  parsers: [{ globs: ['/**/*.{jar,war,ear,par,sar,jpi,hpi}'], parse: parseJavaArchive }],
};
