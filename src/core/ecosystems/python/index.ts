import type { Cataloger } from '../types.js';
import { parsePythonMetadata } from './parse-python-metadata.js';

/**
 * Installed distributions anywhere (site-packages, Debian's dist-packages, virtualenvs). The
 * `*.egg-info` glob matches the single-file form; the walker only hands us regular files.
 */
export const pythonInstalledCataloger: Cataloger = {
  id: 'python-installed',
  // 2: licence names that denote one SPDX licence are recorded as its id.
  version: 2,
  ecosystem: 'python',
  parsers: [
    {
      globs: ['/**/*.dist-info/METADATA', '/**/*.egg-info/PKG-INFO', '/**/*.egg-info'],
      // Siblings read through the resolver: file lists and egg-info requirements.
      prefetch: [
        '/**/*.dist-info/RECORD',
        '/**/*.egg-info/installed-files.txt',
        '/**/*.egg-info/requires.txt',
      ],
      parse: parsePythonMetadata,
    },
  ],
};
