/**
 * The registry back-end through the one image conformance suite: the Debian fixture images
 * pushed with skopeo to the real docker-registry with TLS (test CA) + htpasswd basic auth,
 * and the base image once more behind bearer-token auth.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openImage } from '../../open.js';
import { describeImageConformance } from '../../../../../test/harness/conformance.js';
import {
  getFixtureImage,
  type FixtureImage,
  type FixturePlatform,
} from '../../../../../test/harness/fixtures/index.js';
import { blobPath } from '../../../../../test/harness/fixtures/layout-json.js';
import { registryOpenOptions } from '../../../../../test/harness/registry/options.js';
import { pushImage } from '../../../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../../../test/harness/registry/start-registry.js';
import { blobCachePath } from './blob-cache.js';
import { pair } from '../../test-support/image-options.js';

const base = await getFixtureImage('base');
const app = await getFixtureImage('app');
const multiarch = await getFixtureImage('multiarch');
let registry: TestRegistry | undefined;
let tokenRegistry: TestRegistry | undefined;
let work = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-registry-conformance-'));
  registry = await startRegistry('tls-basic');
  await pushImage(registry, `oci:${base.ociLayoutDir}:${base.tag}`, `fixtures/base:${base.tag}`);
  // The OCI archive holds the same manifests as the layout, so either source may be pushed.
  await pushImage(registry, `oci-archive:${app.ociArchive}:${app.tag}`, `fixtures/app:${app.tag}`);
  await pushImage(
    registry,
    `oci:${multiarch.ociLayoutDir}:${multiarch.tag}`,
    `fixtures/multiarch:${multiarch.tag}`,
  );
  tokenRegistry = await startRegistry('token');
  await pushImage(tokenRegistry, `oci:${base.ociLayoutDir}:${base.tag}`, `fixtures/base:${base.tag}`);
});

afterAll(async () => {
  await registry?.stop();
  await tokenRegistry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

let n = 0;
function opener(fixture: FixtureImage, platform?: FixturePlatform, which = () => registry) {
  return async () => {
    const reg = which();
    if (!reg) throw new Error('registry not started');
    const options = registryOpenOptions(
      reg,
      join(work, `cache-${n++}`),
      {},
      platform ?? { os: 'linux', architecture: 'amd64' },
    );
    return openImage(`${reg.host}/fixtures/${fixture.name}:${fixture.tag}`, options.env, options.request);
  };
}

/**
 * A copy of the image whose last layer is served altered: a same-size corrupt copy is
 * planted in the blob cache, which the back-end trusts only as far as the digest check.
 */
function tamperedOpener(fixture: FixtureImage) {
  return async () => {
    if (!registry) throw new Error('registry not started');
    const layer = fixture.hostManifest.layers[fixture.hostManifest.layers.length - 1];
    if (!layer) throw new Error(`fixture ${fixture.name} has no layers`);
    const cacheDir = join(work, `tampered-${n++}`);
    const planted = blobCachePath(cacheDir, layer.digest);
    await mkdir(dirname(planted), { recursive: true });
    await copyFile(blobPath(fixture.ociLayoutDir, layer.digest), planted);
    const bytes = await readFile(planted);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    await writeFile(planted, bytes);
    return openImage(
      `${registry.host}/fixtures/${fixture.name}:${fixture.tag}`,
      ...pair(registryOpenOptions(registry, cacheDir)),
    );
  };
}

for (const fixture of [base, app]) {
  describeImageConformance(`registry ${fixture.name}`, opener(fixture), {
    fixture,
    manifestDigest: fixture.hostManifest.manifestDigest,
    ...(fixture === base && { openTampered: tamperedOpener(fixture) }),
  });
}

describeImageConformance(
  'registry base (token auth)',
  opener(base, undefined, () => tokenRegistry),
  {
    fixture: base,
    manifestDigest: base.hostManifest.manifestDigest,
  },
);

for (const m of multiarch.manifests) {
  describeImageConformance(`registry multiarch ${m.platform.architecture}`, opener(multiarch, m.platform), {
    fixture: multiarch,
    platform: m.platform,
    manifestDigest: m.manifestDigest,
  });
}
