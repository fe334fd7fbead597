import type { Migration } from '../migrations.js';

/**
 * The re-match after a feed sync (issue 13, ADR 0030): which packages of an analysis are under
 * each of its lookup keys (19). Released: never edit, append.
 */
export const REMATCH_MIGRATIONS: readonly Migration[] = [
  {
    id: 19,
    name: 'search index: the packages under each lookup key',
    // The positions in the stored SBOM's package list of the packages under the key, so the
    // re-match reads those packages and not the whole document. NULL on rows indexed before:
    // the re-match then reads that analysis whole (nothing has to be indexed again).
    sql: `ALTER TABLE image_lookup_key ADD COLUMN package_ordinals integer[];`,
  },
];
