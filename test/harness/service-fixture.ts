/**
 * What the analysis tests of the service share: the `app` fixture pushed to a TLS + htpasswd
 * registry, and vulnerability feeds from the shared mirror loaded into a given database.
 */
import { expect } from 'vitest';
import { FEED_DRIVERS } from '../../src/core/advisories/feeds/registry.js';
import type { ImageEnvironment } from '../../src/core/image/options.js';
import type { VulnerabilityData } from '../../src/core/pipeline/index.js';
import { createAnalyzeImage } from '../../src/main/analyze-image.js';
import type { AnalyzeImageResult } from '../../src/worker/analyze.js';
import { testImageOptions } from '../../src/core/image/test-support/image-options.js';
import type { Sql } from '../../src/store/sql.js';
import { updateFeeds } from '../../src/store/update-feeds.js';
import { VulnerabilityStore } from '../../src/store/vulnerability-store.js';
import { SHARED_DATA } from '../support/shared-data.js';
import { getFixtureImage, type FixtureImage } from './fixtures/index.js';
import { pushImage } from './registry/push.js';
import { startRegistry, type TestRegistry } from './registry/start-registry.js';

export interface PushedFixture {
  registry: TestRegistry;
  fixture: FixtureImage;
  /** host/repo:tag in the test registry. */
  reference: string;
  /** The manifest digest the registry serves for it. */
  digest: string;
}

export async function pushAppFixture(): Promise<PushedFixture> {
  const [registry, fixture] = await Promise.all([startRegistry('tls-basic'), getFixtureImage('app')]);
  await pushImage(registry, `oci:${fixture.ociLayoutDir}:${fixture.tag}`, 'fixtures/app:1');
  const digest = fixture.manifests[0]?.manifestDigest;
  if (!digest) throw new Error('the app fixture has no manifest');
  return { registry, fixture, reference: `${registry.host}/fixtures/app:1`, digest };
}

export async function loadFeeds(db: Sql): Promise<VulnerabilityStore> {
  const store = new VulnerabilityStore(db);
  const outcomes = await updateFeeds(store, FEED_DRIVERS, { mode: { mirrorDir: SHARED_DATA } });
  for (const o of outcomes) expect(o, JSON.stringify(o)).toMatchObject({ status: 'updated' });
  return store;
}

/** The image environment of a service in tests (the test registry's CA trusted, if any). */
export function serviceOpenOptions(
  registry: Pick<TestRegistry, 'caPem'> | undefined,
  cacheDir: string,
): ImageEnvironment {
  return testImageOptions({
    cacheDir,
    registry: { extraCaPem: registry?.caPem ? [registry.caPem] : [], timeoutMs: 10_000, retries: 1 },
  }).env;
}

/**
 * Analyses the pushed fixture as a worker would (pulled by digest with the registry's login,
 * matched against `vulnerabilities`), for tests that then store the result themselves.
 */
export async function analysePushedFixture(
  pushed: PushedFixture,
  vulnerabilities: VulnerabilityData,
  dirs: { cacheDir: string; tempRoot: string },
): Promise<{ result: AnalyzeImageResult; registry: string; repo: string; tagName: string }> {
  const analyze = createAnalyzeImage({
    environment: serviceOpenOptions(pushed.registry, dirs.cacheDir),
    tempRoot: dirs.tempRoot,
    vulnerabilities,
  });
  const [registry = '', ...rest] = pushed.reference.split('/');
  const [repo = '', tagName = ''] = rest.join('/').split(':');
  const result = await analyze({
    source: `registry:${registry}/${repo}@${pushed.digest}`,
    credentials: [
      {
        registry: pushed.registry.host,
        username: pushed.registry.username,
        password: pushed.registry.password,
        verifyTls: true,
      },
    ],
    signal: new AbortController().signal,
  });
  return { result, registry, repo, tagName };
}
