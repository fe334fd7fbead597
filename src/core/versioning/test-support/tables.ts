/** Every scheme's literal table, keyed by scheme id, for the contract test. */
import { DEB_TABLE } from '../deb/table.js';
import type { SchemeId } from '../types.js';
import type { SchemeTable } from './table.js';

export const SCHEME_TABLES: Partial<Record<SchemeId, SchemeTable>> = {
  deb: DEB_TABLE,
};
