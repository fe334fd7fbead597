/**
 * The all-layers scope on a small image written here: layer 0 installs two npm packages,
 * layer 1 upgrades one and deletes the other with a whiteout. The expected inventory is a
 * literal table written from that layout, not from what the code printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImageOptions } from '../../config/index.js';
import { fromResolved, catalogRead, type TestImageOptions } from '../image/test-support/image-options.js';
import { npmInstalledCataloger } from '../ecosystems/npm/index.js';
import { dir, file, imageFromEntries } from '../fs/test-support/build-image.js';
import type { Image } from '../image/types.js';
import { catalogImage, type CatalogOptions } from './catalog-image.js';

const pkgJson = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

const LAYERS = [
  [
    dir('app/'),
    dir('app/node_modules/'),
    file('app/node_modules/left-pad/package.json', pkgJson('left-pad', '1.3.0')),
    file('app/node_modules/keep/package.json', pkgJson('keep', '2.0.0')),
  ],
  [
    file('app/node_modules/keep/package.json', pkgJson('keep', '2.1.0')),
    file('app/node_modules/.wh.left-pad'),
    file('app/node_modules/broken/package.json', '{"name": "broken", '),
  ],
];

let temp: string;
let open: TestImageOptions;
let image: Image;
let diffIds: string[];

const options = (scope: CatalogOptions['scope']): CatalogOptions => ({
  catalogers: [npmInstalledCataloger],
  scope,
  digestMaxBytes: 1024 * 1024,
  captureMaxBytes: 1024 * 1024,
});

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'pc-all-layers-'));
  open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
  image = await imageFromEntries(LAYERS);
  diffIds = (await image.layers()).map((l) => l.diffId);
});
afterAll(async () => rm(temp, { recursive: true, force: true }));

const summary = (p: { name: string; version: string; inSquashed?: boolean; originLayer?: string }) =>
  [p.name, p.version, p.inSquashed, diffIds.indexOf(p.originLayer ?? '')] as const;

describe('all-layers scope', () => {
  it('squashed scope sees only what survives', async () => {
    const doc = await catalogImage(image, catalogRead(open), options('squashed'));
    expect(doc.packages.map(summary)).toEqual([['keep', '2.1.0', true, 1]]);
  });

  it('adds removed and replaced packages with inSquashed false and their layer of origin', async () => {
    const doc = await catalogImage(image, catalogRead(open), options('all-layers'));
    const rows = doc.packages.map(summary).sort((a, b) => `${a[0]}@${a[1]}`.localeCompare(`${b[0]}@${b[1]}`));
    expect(rows).toEqual([
      ['keep', '2.0.0', false, 0],
      ['keep', '2.1.0', true, 1],
      ['left-pad', '1.3.0', false, 0],
    ]);
    const leftPad = doc.packages.find((p) => p.name === 'left-pad');
    expect(leftPad?.locations[0]).toMatchObject({
      path: '/app/node_modules/left-pad/package.json',
      layerDiffId: diffIds[0],
    });
    expect(leftPad?.purl).toBe('pkg:npm/left-pad@1.3.0');
    // ids stay unique although two versions of keep share one evidence path
    expect(new Set(doc.packages.map((p) => p.id)).size).toBe(doc.packages.length);
  });

  it('records the malformed package.json once, as an unknown, and finishes', async () => {
    const doc = await catalogImage(image, catalogRead(open), options('all-layers'));
    const broken = doc.unknowns.filter((u) => u.path === '/app/node_modules/broken/package.json');
    expect(broken).toHaveLength(1);
    expect(broken[0]?.layerDiffId).toBe(diffIds[1]);
  });
});
