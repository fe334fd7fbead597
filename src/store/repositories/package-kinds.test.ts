/**
 * The package kinds the writers store beside an SBOM (migration 71) are the ones
 * `package_kinds_of` counts from it, after every path that writes an analysis, on both stores:
 * the re-match evaluates bundles reading only kinds from them, without the SBOM's packages.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../../test/harness/databases.js';
import { fleet, storeInBulk } from '../test-support/monitor-fleet.js';
import { syntheticAnalysis } from '../test-support/synthetic-analysis.js';
import { createServiceStore, type ServiceStore } from './index.js';
import { packageKinds } from './package-kinds.js';
import { createSecretBox } from './secret-box.js';

afterAll(() => stopSharedPostgres());

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const owner = { type: 'deb', name: 'ruby', version: '1' };

/** SBOMs of every shape the counts tell apart, valid or not. */
const CASES: unknown[] = [
  {},
  { packages: 'not packages' },
  { packages: [] },
  { packages: [{}, null, 3, 'x', []] },
  {
    packages: [
      { type: 'npm' },
      { type: 'deb' },
      { type: 'npm', ownedBy: owner },
      { type: 'npm', ownedBy: '' },
      { type: 'npm', ownedBy: null },
      { type: 'gem', ownedBy: 'ruby' },
      { type: 'deb' },
      { type: null },
    ],
  },
  // Byte order, not the database's collation: upper case before lower, `-` before letters.
  { packages: ['go-module', 'Go', 'gomod', 'go', 'é', 'e', 'python', 'Python'].map((type) => ({ type })) },
  { packages: [{ type: 7 }, { type: { a: 1 } }, { type: true, ownedBy: false }] },
];

describe.each(STORE_KINDS)('package kinds stored with the SBOM on %s', (kind) => {
  let database: TestDatabase;
  let store: ServiceStore;

  const disagreeing = async () =>
    (
      await database.db.query<{ image_digest: string }>(
        'SELECT image_digest FROM analysis WHERE package_kinds IS DISTINCT FROM package_kinds_of(sbom)',
      )
    ).rows.map((r) => r.image_digest);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = createServiceStore(database.db, createSecretBox(randomBytes(32)));
    await store.accounts.create({ name: 'team', type: 'user' });
  });
  afterAll(() => database?.stop());

  it('are a column the writers fill, never null', async () => {
    const { rows } = await database.db.query<{ is_nullable: string }>(
      `SELECT is_nullable FROM information_schema.columns
       WHERE table_name = 'analysis' AND column_name = 'package_kinds'`,
    );
    expect(rows).toEqual([{ is_nullable: 'NO' }]);
  });

  it('count as package_kinds_of does, whatever the SBOM holds', async () => {
    for (const sbom of CASES) {
      const { rows } = await database.db.query<{ k: unknown }>('SELECT package_kinds_of($1::jsonb) AS k', [
        JSON.stringify(sbom),
      ]);
      expect(packageKinds(sbom), JSON.stringify(sbom)).toEqual(rows[0]!.k);
    }
  });

  it('agree with the SBOM after a save, a forced re-analysis and a bulk store', async () => {
    const [D1, D2] = [digest('1'), digest('2')];
    const analysis = syntheticAnalysis(D1, [{ name: 'zlib1g', version: '1:1.2.13-1', source: 'zlib' }]);
    await store.analyses.save(analysis);
    await store.analyses.save(
      {
        ...analysis,
        sbom: {
          ...analysis.sbom,
          packages: [...analysis.sbom.packages, { ...analysis.sbom.packages[0]!, type: 'npm' }],
        },
      },
      undefined,
      { replace: true },
    );
    await store.analyses.save({ ...syntheticAnalysis(D2, []), imageDigest: D2 });
    await storeInBulk(database.db, 'team', [...fleet(3)]);
    const { rows } = await database.db.query<{ k: unknown }>(
      'SELECT package_kinds AS k FROM analysis WHERE image_digest = $1',
      [D1],
    );
    expect(rows[0]!.k).toEqual([
      ['deb', false, 1],
      ['npm', false, 1],
    ]);
    expect(await disagreeing()).toEqual([]);
  });
});
