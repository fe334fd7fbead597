import type { Cataloger } from '../types.js';
import { parseJavaArchive } from './parse-java-archive.js';

/** Java archives; nested archives are read from memory inside the parser, within limits. */
export const javaArchiveCataloger: Cataloger = {
  id: 'java-archive',
  version: 1,
  ecosystem: 'java',
  parsers: [{ globs: ['/**/*.{jar,war,ear,par,sar,jpi,hpi}'], parse: parseJavaArchive }],
};
