/**
 * `--platform` on a single-platform image, for every back-end whose platform comes from the
 * image config. Regression: `--platform linux/arm64` on an amd64 image was silently ignored
 * and the amd64 image analysed; it must fail naming the platform the image has.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOpenOptions } from '../../../test/conformance/options.js';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { registryOpenOptions } from '../../../test/harness/registry/options.js';
import { pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { resolveImageOptions } from '../../config/index.js';
import { fromResolved, type TestImageOptions, pair } from './test-support/image-options.js';
import { openImage, openImages } from './open.js';
import type { Platform } from './types.js';

const base = await getFixtureImage('base');
const own = base.hostManifest.platform;
const other: Platform = { os: 'linux', architecture: own.architecture === 'arm64' ? 'amd64' : 'arm64' };
const local = await localOpenOptions();
let registry: TestRegistry | undefined;
let work = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pc-platform-'));
  registry = await startRegistry('plain');
  await pushImage(registry, `oci:${base.ociLayoutDir}:${base.tag}`, `fixtures/base:${base.tag}`);
});
afterAll(async () => {
  await registry?.stop();
  await local.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const sources: [string, () => { source: string; options: TestImageOptions }][] = [
  ['oci-dir', () => ({ source: `oci-dir:${base.ociLayoutDir}:${base.tag}`, options: local.options })],
  ['oci-archive', () => ({ source: `oci-archive:${base.ociArchive}:${base.tag}`, options: local.options })],
  ['docker-archive', () => ({ source: `docker-archive:${base.dockerArchive}`, options: local.options })],
  [
    'registry',
    () => {
      if (!registry) throw new Error('registry not started');
      return {
        source: `${registry.host}/fixtures/base:${base.tag}`,
        options: registryOpenOptions(registry, join(work, 'cache')),
      };
    },
  ],
];

describe('--platform on a single-platform image', () => {
  it('the fixture is one image, not an index', () => {
    expect(base.isIndex).toBe(false);
  });

  it.each(sources)('%s: another platform fails, listing the one available', async (_name, get) => {
    const { source, options } = get();
    const wanted = `${other.os}/${other.architecture}`;
    await expect(
      openImage(source, ...pair(options, { platform: other, platformRequested: true })),
    ).rejects.toMatchObject({
      code: 'PLATFORM_NOT_FOUND',
      message: expect.stringContaining(
        `single-platform image: no image for platform ${wanted} (available: ${own.os}/${own.architecture})`,
      ),
    });
  });

  it.each(sources)('%s: its own platform, or none requested, opens it', async (_name, get) => {
    const { source, options } = get();
    const asked = await openImage(source, ...pair(options, { platform: own, platformRequested: true }));
    expect(asked.platform).toMatchObject(own);
    // Without --platform the host default is only a preference: the one image is analysed.
    const defaulted = await openImage(source, ...pair(options, { platform: other }));
    expect(defaulted.platform).toMatchObject(own);
    // --all-platforms with a platform given yields the one image too.
    const all = await openImages(
      source,
      ...pair(options, {
        platform: other,
        platformRequested: true,
        allPlatforms: true,
      }),
    );
    expect(all.map((i) => i.platform.architecture)).toEqual([own.architecture]);
  });

  it('--platform as the CLI resolves it is a request; no flag is not', async () => {
    const flagged = fromResolved(
      resolveImageOptions({ platform: `${other.os}/${other.architecture}` }, {}, local.tempDir),
    );
    expect(flagged.request.platformRequested).toBe(true);
    expect(fromResolved(resolveImageOptions({}, {}, local.tempDir)).request.platformRequested).toBe(false);
    await expect(
      openImage(`oci-dir:${base.ociLayoutDir}:${base.tag}`, flagged.env, flagged.request),
    ).rejects.toMatchObject({
      code: 'PLATFORM_NOT_FOUND',
    });
  });
});
