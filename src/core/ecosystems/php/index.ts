import type { Cataloger } from '../types.js';
import { parseComposerLock, parseInstalledJson } from './parse-composer.js';

/** Installed vendor trees (what actually ships) and lockfiles (what a source tree pins). */
export const phpComposerCataloger: Cataloger = {
  id: 'php-composer',
  version: 1,
  ecosystem: 'php',
  parsers: [
    { globs: ['/**/vendor/composer/installed.json'], parse: parseInstalledJson },
    { globs: ['/**/composer.lock'], declares: true, parse: parseComposerLock },
  ],
};
