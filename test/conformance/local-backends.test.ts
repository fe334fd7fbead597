/**
 * Every local back-end (oci-dir, oci-archive, docker-archive, dir, docker) against the
 * fixture images, through the one conformance suite.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../src/core/errors.js';
import { openImage } from '../../src/core/image/open.js';
import { describeImageConformance } from '../harness/conformance.js';
import { getFixtureImage, type FixtureImage, type FixturePlatform } from '../harness/fixtures/index.js';
import { tamperedArchive, tamperedLayout } from '../harness/fixtures/tamper.js';
import { startDockerDaemon, type TestDockerDaemon } from './docker-daemon.js';
import { localOpenOptions } from './options.js';
import { pair, withDockerHost } from '../../src/core/image/test-support/image-options.js';

const base = await getFixtureImage('base');
const app = await getFixtureImage('app');
const multiarch = await getFixtureImage('multiarch');
const local = await localOpenOptions();
let daemon: TestDockerDaemon | undefined;

beforeAll(async () => {
  daemon = await startDockerDaemon();
  await daemon.load(base.dockerArchive);
  await daemon.load(app.dockerArchive);
});

afterAll(async () => {
  await daemon?.stop();
  await local.cleanup();
});

function opener(source: string, platform?: FixturePlatform) {
  return () => openImage(source, ...pair(local.options, platform ? { platform } : {}));
}

function lastLayerDigests(fixture: FixtureImage): { blob: string; diffId: string } {
  const m = fixture.hostManifest;
  return { blob: m.layers[m.layers.length - 1]?.digest ?? '', diffId: m.diffIds[m.diffIds.length - 1] ?? '' };
}

async function tamperDir(name: string): Promise<string> {
  const dir = join(local.tempDir, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

for (const fixture of [base, app]) {
  const tampered = fixture === base;
  const { blob, diffId } = lastLayerDigests(fixture);
  const manifestDigest = fixture.hostManifest.manifestDigest;
  describeImageConformance(
    `oci-dir ${fixture.name}`,
    opener(`oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`),
    {
      fixture,
      manifestDigest,
      ...(tampered && {
        openTampered: async () => {
          const dir = await tamperedLayout(
            fixture.ociLayoutDir,
            blob,
            join(await tamperDir('oci-dir'), 'layout'),
          );
          return openImage(`oci-dir:${dir}:${fixture.tag}`, ...pair(local.options));
        },
      }),
    },
  );
  describeImageConformance(
    `oci-archive ${fixture.name}`,
    opener(`oci-archive:${fixture.ociArchive}:${fixture.tag}`),
    {
      fixture,
      manifestDigest,
      ...(tampered && {
        openTampered: async () => {
          const file = await tamperedArchive(
            fixture.ociArchive,
            blob.slice(7),
            await tamperDir('oci-archive'),
          );
          return openImage(`oci-archive:${file}`, ...pair(local.options));
        },
      }),
    },
  );
  describeImageConformance(
    `docker-archive ${fixture.name}`,
    opener(`docker-archive:${fixture.dockerArchive}`),
    {
      fixture,
      ...(tampered && {
        openTampered: async () => {
          const file = await tamperedArchive(
            fixture.dockerArchive,
            `${diffId.slice(7)}.tar`,
            await tamperDir('docker'),
          );
          return openImage(`docker-archive:${file}`, ...pair(local.options));
        },
      }),
    },
  );
  describeImageConformance(`dir ${fixture.name}`, opener(`dir:${fixture.rootfsDir}`), {
    fixture,
    singleLayer: true,
  });
  describeImageConformance(
    `docker ${fixture.name}`,
    () => openImage(`docker:${fixture.dockerRepoTag}`, ...withDockerHost(local.options, daemon?.host ?? '')),
    { fixture },
  );
}

for (const platform of multiarch.platforms) {
  const label = `${platform.os}/${platform.architecture}`;
  const manifestDigest = multiarch.manifests.find(
    (m) => m.platform.architecture === platform.architecture,
  )?.manifestDigest;
  describeImageConformance(
    `oci-dir multiarch ${label}`,
    opener(`oci-dir:${multiarch.ociLayoutDir}:${multiarch.tag}`, platform),
    {
      fixture: multiarch,
      platform,
      ...(manifestDigest && { manifestDigest }),
    },
  );
  describeImageConformance(
    `oci-archive multiarch ${label}`,
    opener(`oci-archive:${multiarch.ociArchive}:${multiarch.tag}`, platform),
    { fixture: multiarch, platform, ...(manifestDigest && { manifestDigest }) },
  );
}
describeImageConformance(`docker-archive multiarch`, opener(`docker-archive:${multiarch.dockerArchive}`), {
  fixture: multiarch,
});

describe('docker back-end against the private daemon', () => {
  it('opens an image by ID as well as by name', async () => {
    // The classic image store names images by their config digest.
    const image = await openImage(
      `docker:${base.hostManifest.configDigest}`,
      ...withDockerHost(local.options, daemon?.host ?? ''),
    );
    expect((await image.config()).rootfs.diff_ids).toEqual(base.hostManifest.diffIds);
  });

  it('reports an image the daemon does not have as NOT_FOUND naming it', async () => {
    const err = await openImage(
      'docker:portcullis-fixtures/never-built:1',
      ...withDockerHost(local.options, daemon?.host ?? ''),
    ).catch((e: unknown) => e);
    expect(isPortcullisError(err, 'NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('portcullis-fixtures/never-built:1');
  });
});
