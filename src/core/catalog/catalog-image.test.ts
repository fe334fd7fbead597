/**
 * Ground truth for the generic cataloger on real images: dpkg's own database read by
 * `dpkg-query --admindir` and `npm ls --all --json`, both run on the rootfs that
 * `umoci unpack` produced for the same image.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { resolveImageOptions } from '../../config/index.js';
import { fromResolved, catalogRead, type TestImageOptions } from '../image/test-support/image-options.js';
import { dpkgCataloger } from '../ecosystems/dpkg/index.js';
import { npmInstalledCataloger } from '../ecosystems/npm/index.js';
import { openImage } from '../image/open.js';
import type { Image, Layer } from '../image/types.js';
import type { SbomDocument } from '../sbom/document.js';
import { DEFAULT_SECRET_RULES } from '../secrets/default-rules.js';
import { DEFAULT_SECRET_SCAN_OPTIONS } from '../secrets/scan.js';
import { catalogImage, type CatalogOptions } from './catalog-image.js';
import { DiskLayerCache } from './layer-cache.js';
import { dpkgInstalled } from '../../../test/support/dpkg-truth.js';

function npmTruth(appDir: string): Set<string> {
  let json: string;
  try {
    json = execFileSync('npm', ['ls', '--all', '--json', '--prefix', appDir], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
  } catch (err) {
    json = ((err as { stdout?: Buffer }).stdout ?? Buffer.from('{}')).toString(); // npm ls exits 1 on peer warnings
  }
  const found = new Set<string>();
  const walk = (
    deps: Record<string, { version?: string; dependencies?: Record<string, unknown> }> | undefined,
  ) => {
    for (const [name, d] of Object.entries(deps ?? {})) {
      if (d.version) found.add(`${name}@${d.version}`);
      walk(d.dependencies as never);
    }
  };
  walk((JSON.parse(json) as { dependencies?: never }).dependencies);
  return found;
}

/** Counts streams opened per layer over every `layers()` call (inspect asks for layers again). */
function countStreams(image: Image): { image: Image; opens: number[] } {
  const opens: number[] = [];
  const wrap = (layer: Layer, i: number): Layer => {
    opens[i] ??= 0;
    const count = () => void (opens[i] = (opens[i] ?? 0) + 1);
    return {
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      mediaType: layer.mediaType,
      compression: layer.compression,
      compressed: () => (count(), layer.compressed()),
      uncompressed: () => (count(), layer.uncompressed()),
    };
  };
  const wrapped: Image = {
    source: image.source,
    digest: image.digest,
    mediaType: image.mediaType,
    platform: image.platform,
    rawManifest: () => image.rawManifest(),
    rawConfig: () => image.rawConfig(),
    config: () => image.config(),
    layers: async () => (await image.layers()).map(wrap),
  };
  return { image: wrapped, opens };
}

describe('catalogImage on the app fixture', () => {
  let fixture: FixtureImage;
  let temp: string;
  let open: TestImageOptions;
  let doc: SbomDocument;
  const options = (cacheDir?: string): CatalogOptions => ({
    catalogers: [dpkgCataloger, npmInstalledCataloger],
    scope: 'squashed',
    digestMaxBytes: 64 * 1024 * 1024,
    captureMaxBytes: 64 * 1024 * 1024,
    secrets: { rules: DEFAULT_SECRET_RULES, options: DEFAULT_SECRET_SCAN_OPTIONS },
    ...(cacheDir ? { cache: new DiskLayerCache(cacheDir) } : {}),
  });

  beforeAll(async () => {
    fixture = await getFixtureImage('app');
    temp = await mkdtemp(join(tmpdir(), 'portcullis-catalog-'));
    open = fromResolved(resolveImageOptions({ cacheDir: join(temp, 'cache') }, {}, temp));
    const image = await openImage(`oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`, open.env, open.request);
    doc = await catalogImage(image, catalogRead(open), options(join(temp, 'cache')));
  });
  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('lists exactly the installed dpkg packages', () => {
    const actual = new Set(doc.packages.filter((p) => p.type === 'deb').map((p) => `${p.name}@${p.version}`));
    expect(actual).toEqual(dpkgInstalled(fixture.rootfsDir));
  });

  it('lists exactly the npm packages npm ls sees under /app', () => {
    const actual = new Set(
      doc.packages
        .filter((p) => p.type === 'npm' && p.locations[0]?.path.startsWith('/app/node_modules/'))
        .map((p) => `${p.name}@${p.version}`),
    );
    const expected = npmTruth(join(fixture.rootfsDir, 'app'));
    expect(expected.size).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
  });

  it('detects the distro and attributes packages to the layer that added them', () => {
    expect(doc.distro).toMatchObject({ id: 'debian', versionId: '12' });
    const layerOf = (name: string) =>
      doc.source.layers.findIndex((l) => l.diffId === doc.packages.find((p) => p.name === name)?.originLayer);
    expect(layerOf('bash')).toBe(0); // debootstrap base layer
    expect(layerOf('python3-requests')).toBeGreaterThan(0); // added by the apt layer
    expect(layerOf('minimist')).toBeGreaterThan(layerOf('python3-requests')); // the npm layer comes after apt
  });

  it('hashes files and records owners of dpkg-owned files', () => {
    const bash = doc.files.find((f) => f.path === '/usr/bin/bash');
    expect(bash?.sha256).toBe(
      execFileSync('sha256sum', [join(fixture.rootfsDir, 'usr/bin/bash')])
        .toString()
        .split(' ')[0],
    );
    expect(doc.packages.find((p) => p.id === bash?.ownerPackage)?.name).toBe('bash');
  });

  it('re-scans from the layer cache with the same result', async () => {
    const image = await openImage(`oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`, open.env, open.request);
    const again = await catalogImage(image, catalogRead(open), options(join(temp, 'cache')));
    const summary = (d: SbomDocument) =>
      d.packages.map((p) => `${p.type}:${p.name}@${p.version}:${p.originLayer}`).sort();
    expect(summary(again)).toEqual(summary(doc));
    expect(again.files.length).toBe(doc.files.length);
  });
  it('all-layers scope keeps every squashed package and only adds ones the squashed image lacks', async () => {
    // Same layers, other scope: every layer comes from the per-layer cache, none is streamed.
    const counted = countStreams(
      await openImage(`oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`, open.env, open.request),
    );
    const all = await catalogImage(counted.image, catalogRead(open), {
      ...options(join(temp, 'cache')),
      scope: 'all-layers',
    });
    expect(counted.opens.every((n) => n === 0)).toBe(true);
    const key = (p: SbomDocument['packages'][number]) =>
      `${p.type}:${p.name}@${p.version}:${p.locations[0]?.path}`;
    const squashed = new Set(doc.packages.map(key));
    expect(new Set(all.packages.filter((p) => p.inSquashed).map(key))).toEqual(squashed);
    for (const p of all.packages.filter((q) => !q.inSquashed)) expect(squashed.has(key(p))).toBe(false);
    // dpkg ground truth still holds for what survives
    expect(
      new Set(
        all.packages.filter((p) => p.type === 'deb' && p.inSquashed).map((p) => `${p.name}@${p.version}`),
      ),
    ).toEqual(dpkgInstalled(fixture.rootfsDir));
  });

  it('a second image sharing the base layer does not stream the shared layer', async () => {
    const base = await getFixtureImage('base');
    const cacheDir = join(temp, 'shared-cache');
    const baseImage = await openImage(`oci-dir:${base.ociLayoutDir}:${base.tag}`, open.env, open.request);
    await catalogImage(baseImage, catalogRead(open), options(cacheDir));
    const appImage = await openImage(
      `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`,
      open.env,
      open.request,
    );
    const appLayers = await appImage.layers();
    const baseLayers = await baseImage.layers();
    expect(appLayers[0]?.diffId).toBe(baseLayers[0]?.diffId); // the premise: app is built on base
    const first = countStreams(appImage);
    const cold = await catalogImage(first.image, catalogRead(open), options(cacheDir));
    expect(first.opens[0]).toBe(0);
    expect(first.opens.slice(baseLayers.length).every((n) => n >= 1)).toBe(true);
    const second = countStreams(appImage);
    const warm = await catalogImage(second.image, catalogRead(open), options(cacheDir));
    expect(second.opens.every((n) => n === 0)).toBe(true);
    expect(warm.packages.map((p) => p.id).sort()).toEqual(cold.packages.map((p) => p.id).sort());
    expect(warm.files).toEqual(cold.files);
    expect(warm.createdAt >= cold.createdAt).toBe(true);
  });
});
