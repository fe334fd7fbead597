/**
 * The rpm write-ahead log through the generic cataloger: the squashed scope reads the log
 * beside the final database, and the all-layers scope pairs each layer's copy of the database
 * with the log that same layer wrote. Expected sets come from `rpm -qa` over the same bytes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImageOptions } from '../../../config/index.js';
import { fromResolved, catalogRead, type TestImageOptions } from '../../image/test-support/image-options.js';
import { catalogImage, type CatalogOptions } from '../../catalog/catalog-image.js';
import { dir, file, imageFromEntries, type TestEntry } from '../../fs/test-support/build-image.js';
import type { Package } from '../../sbom/model.js';
import { rpmCataloger } from './index.js';
import { buildWalDb, rpmQueryAll, type WalDbFixture } from './test-support/build-wal-db.js';

const RPM_DIR = 'var/lib/rpm/';

let fx: WalDbFixture;
let temp: string;
let open: TestImageOptions;
beforeAll(async () => {
  fx = await buildWalDb();
  temp = await mkdtemp(join(tmpdir(), 'pc-rpm-wal-image-'));
  open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
}, 180_000);
afterAll(async () => {
  fx?.cleanup();
  if (temp) await rm(temp, { recursive: true, force: true });
});

const options = (scope: CatalogOptions['scope']): CatalogOptions => ({
  catalogers: [rpmCataloger],
  scope,
  digestMaxBytes: 0,
  captureMaxBytes: 16 * 1024 * 1024,
});

const rpmFiles = (database: Buffer, wal: Buffer): TestEntry[] => [
  file(`${RPM_DIR}rpmdb.sqlite`, database),
  file(`${RPM_DIR}rpmdb.sqlite-wal`, wal),
];

const row = (p: Package) =>
  `${p.name}\t${String(p.metadata.version)}-${String(p.metadata.release)}\t${String(p.metadata.architecture)}`;

describe('rpm write-ahead log in images', () => {
  it('squashed scope: the database read with the log beside it', async () => {
    const image = await imageFromEntries([
      [dir('var/'), dir('var/lib/'), dir(RPM_DIR), ...rpmFiles(fx.database, fx.wal)],
    ]);
    const doc = await catalogImage(image, catalogRead(open), options('squashed'));
    expect(doc.packages.map(row).sort()).toEqual(rpmQueryAll(fx.database, fx.wal));
    expect(doc.unknowns).toEqual([]);
    const gamma = doc.packages.find((p) => p.name === 'gamma');
    expect(gamma?.locations.map((l) => [l.path, l.annotation])).toEqual([
      [`/${RPM_DIR}rpmdb.sqlite`, 'primary'],
      [`/${RPM_DIR}rpmdb.sqlite-wal`, 'supporting'],
    ]);
  });

  it('all-layers scope: a layer’s database is read with that layer’s log', async () => {
    // Layer 0 was snapshotted mid-build (log full); layer 1 erased gamma and closed cleanly.
    const later = fx.afterErasingGamma;
    const image = await imageFromEntries([
      [dir('var/'), dir('var/lib/'), dir(RPM_DIR), ...rpmFiles(fx.database, fx.wal)],
      rpmFiles(later.database, later.wal),
    ]);
    const diffIds = (await image.layers()).map((l) => l.diffId);
    const squashed = rpmQueryAll(later.database, later.wal);
    const inLayer0 = rpmQueryAll(fx.database, fx.wal);
    const removed = inLayer0.filter((r) => !squashed.includes(r));
    expect(removed).toEqual(['gamma\t3.0-1\tnoarch']);

    const doc = await catalogImage(image, catalogRead(open), options('all-layers'));
    const surviving = doc.packages.filter((p) => p.inSquashed !== false);
    expect(surviving.map(row).sort()).toEqual(squashed);
    const added = doc.packages.filter((p) => p.inSquashed === false);
    // Without the pairing, layer 0's database alone would bring back beta 0.9~rc1 instead.
    expect(added.map(row)).toEqual(removed);
    expect(added[0]?.originLayer).toBe(diffIds[0]);
    expect(doc.unknowns).toEqual([]);
  });

  it('layer of origin: a package only in an older layer’s log dates from that layer', async () => {
    const later = fx.afterErasingGamma;
    const image = await imageFromEntries([
      [dir('var/'), dir('var/lib/'), dir(RPM_DIR), ...rpmFiles(fx.database, fx.wal)],
      rpmFiles(later.database, later.wal),
    ]);
    const diffIds = (await image.layers()).map((l) => l.diffId);
    // delta reached layer 0 through its log only: the database file there does not list it.
    const withoutLog = rpmQueryAll(fx.database, undefined);
    expect(withoutLog.some((r) => r.startsWith('delta\t'))).toBe(false);
    expect(rpmQueryAll(fx.database, fx.wal).some((r) => r.startsWith('delta\t'))).toBe(true);

    const doc = await catalogImage(image, catalogRead(open), options('squashed'));
    const delta = doc.packages.find((p) => p.name === 'delta');
    expect(delta?.originLayer).toBe(diffIds[0]);
    // gamma-free layer 1 is where nothing new appeared: every surviving package dates from layer 0.
    expect(new Set(doc.packages.map((p) => p.originLayer))).toEqual(new Set([diffIds[0]]));
  });
});
