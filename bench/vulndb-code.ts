/**
 * The vulnerability-data code of one checkout, loaded from its own files: this one, or the
 * older one of PORTCULLIS_BENCH_BASE_ROOT, so the import and match benchmarks run old and new
 * code in the same process, alternately, each on a database its own code loaded (the older
 * schema may lack a later migration).
 */
import type { SbomDocument } from '../src/core/sbom/document.js';
import type { AdvisorySource } from '../src/core/matching/types.js';
import type { Sql } from '../src/store/sql.js';
import { importFrom } from './base-checkout.js';

export interface VulndbCode {
  openPglite(dataDir?: string): Promise<Sql>;
  /** Every feed of the shared mirror into `db`. */
  importMirror(db: Sql): Promise<void>;
  /** A database holding the whole mirror, loaded once per process. */
  loadedDataDir(): Promise<string>;
  newStore(db: Sql, options: { remember: boolean }): AdvisorySource;
  matchSbom(doc: SbomDocument, source: AdvisorySource): Promise<{ findings: unknown[] }>;
}

type StoreClass = new (db: Sql, options: { remember: boolean }) => AdvisorySource;

export async function vulndbCode(root: string): Promise<VulndbCode> {
  const [sql, data, store, match] = await Promise.all([
    importFrom<Pick<VulndbCode, 'openPglite'>>(root, 'src/store/sql.ts'),
    importFrom<Pick<VulndbCode, 'importMirror' | 'loadedDataDir'>>(root, 'bench/vulndb-data.ts'),
    importFrom<{ VulnerabilityStore: StoreClass }>(root, 'src/store/vulnerability-store.ts'),
    importFrom<Pick<VulndbCode, 'matchSbom'>>(root, 'src/core/matching/match.ts'),
  ]);
  return {
    openPglite: (dataDir) => sql.openPglite(dataDir),
    importMirror: (db) => data.importMirror(db),
    loadedDataDir: () => data.loadedDataDir(),
    newStore: (db, options) => new store.VulnerabilityStore(db, options),
    matchSbom: (doc, source) => match.matchSbom(doc, source),
  };
}
