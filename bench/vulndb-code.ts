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
import { importCompiled } from './compiled-checkout.js';

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

/** What a match benchmark measures of a checkout. */
export type MatchCode = Pick<VulndbCode, 'openPglite' | 'newStore' | 'matchSbom'>;

/**
 * The match path of the checkout at `root` from its compiled build, as `portcullis` runs it
 * (compiled-checkout.ts); PORTCULLIS_BENCH_TSX=1 measures its sources through tsx instead.
 */
export async function matchCode(root: string): Promise<MatchCode> {
  if (process.env.PORTCULLIS_BENCH_TSX === '1') return vulndbCode(root);
  const [sql, store, match] = await Promise.all([
    importCompiled<Pick<VulndbCode, 'openPglite'>>(root, 'store/sql.js'),
    importCompiled<{ VulnerabilityStore: StoreClass }>(root, 'store/vulnerability-store.js'),
    importCompiled<Pick<VulndbCode, 'matchSbom'>>(root, 'core/matching/match.js'),
  ]);
  return {
    openPglite: (dataDir) => sql.openPglite(dataDir),
    newStore: (db, options) => new store.VulnerabilityStore(db, options),
    matchSbom: (doc, source) => match.matchSbom(doc, source),
  };
}
