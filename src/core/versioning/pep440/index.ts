/** Python package versions (PEP 440), with PEP 440 specifier sets as the range syntax. */
import type { VersionScheme } from '../types.js';
import { satisfiesPep440 } from './specifier.js';
import { compareParsed, parsePep440, tryParsePep440 } from './version.js';

export const pep440: VersionScheme = {
  id: 'pep440',
  isValid: (version) => tryParsePep440(version) !== undefined,
  compare: (a, b) => compareParsed(parsePep440(a), parsePep440(b)),
  satisfies: satisfiesPep440,
};
