import type { Cataloger } from '../types.js';
import { parseDepsJson } from './parse-deps-json.js';

export const dotnetDepsCataloger: Cataloger = {
  id: 'dotnet-deps',
  version: 1,
  ecosystem: 'dotnet',
  parsers: [{ globs: ['/**/*.deps.json'], parse: parseDepsJson }],
};
