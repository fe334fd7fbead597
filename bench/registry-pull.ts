/**
 * A cold pull of the `app` fixture (86 MB, 5 layers) from the real docker-registry on
 * 127.0.0.1, against `skopeo copy` of the same image to an OCI layout. Each repetition starts
 * from an empty blob cache and new connections. Our side reads every layer blob back through
 * the digest check, as the filesystem does; skopeo verifies and writes them.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveImageOptions } from '../src/config/index.js';
import { RegistryClients } from '../src/core/image/backends/registry/clients.js';
import { openImage } from '../src/core/image/open.js';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
import { pullWithSkopeo, pushImage } from '../test/harness/registry/push.js';
import { startRegistry } from '../test/harness/registry/start-registry.js';
import { startThrottleProxy, type ThrottleProxy } from '../test/harness/registry/throttle-proxy.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

/** Reads a stream to its end without keeping it: the pull is measured, not a copy in memory. */
async function consume(stream: NodeJS.ReadableStream): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/** Per-connection cap of the throttled variants: a remote registry's stream, not loopback. */
const THROTTLE_BYTES_PER_SECOND = 50 * 1024 * 1024;

async function prepare(blobConcurrency: number | undefined, throttled = false): Promise<PreparedBenchmark> {
  const fixture = await getFixtureImage('app');
  const temp = await mkdtemp(join(tmpdir(), 'portcullis-bench-pull-'));
  const direct = await startRegistry('plain');
  let proxy: ThrottleProxy | undefined;
  try {
    await pushImage(direct, `oci:${fixture.ociLayoutDir}:${fixture.tag}`, `fixtures/app:${fixture.tag}`);
    if (throttled) proxy = await startThrottleProxy(direct.host, THROTTLE_BYTES_PER_SECOND);
  } catch (err) {
    await direct.stop();
    throw err;
  }
  // Both sides go through the same proxy when throttled.
  const registry = proxy ? { ...direct, host: proxy.host } : direct;
  const reference = `fixtures/app:${fixture.tag}`;
  let run = 0;
  return {
    measure: async () => {
      const cacheDir = join(temp, `cache-${run++}`);
      const { settings, request } = resolveImageOptions({ cacheDir, insecure: true }, {}, temp);
      const registryOptions = { ...settings.registry, blobConcurrency };
      // One pool per pull, as one CLI run has, closed when it is done.
      const clients = new RegistryClients(registryOptions);
      try {
        const env = { ...settings, registry: registryOptions, clients };
        const image = await openImage(`${registry.host}/${reference}`, env, request);
        for (const layer of await image.layers()) await consume(await layer.compressed());
      } finally {
        await clients.close();
      }
    },
    baseline: async () => {
      const layout = join(temp, `skopeo-${run++}`);
      await mkdir(layout);
      await pullWithSkopeo(registry, reference, layout);
    },
    cleanup: async () => {
      await proxy?.close();
      await direct.stop();
      await rm(temp, { recursive: true, force: true });
    },
  };
}

const baselineLabel = 'skopeo copy docker:// to oci: of the same image';

export const registryPullBenchmark: Benchmark = {
  name: 'registry-pull-app',
  baselineLabel,
  targetRatio: 1.3,
  runs: 5,
  prepare: () => prepare(undefined),
};

/** The same pull one blob at a time, to show what fetching ahead buys. */
export const registryPullSequentialBenchmark: Benchmark = {
  name: 'registry-pull-app-sequential',
  baselineLabel,
  targetRatio: 2,
  runs: 5,
  prepare: () => prepare(1),
};

const throttledLabel = 'skopeo copy through the same 50 MiB/s-per-connection proxy';

/** Through a proxy capping each connection at 50 MiB/s: where fetching in parallel pays. */
export const registryPullThrottledBenchmark: Benchmark = {
  name: 'registry-pull-app-throttled',
  baselineLabel: throttledLabel,
  targetRatio: 1.3,
  runs: 3,
  prepare: () => prepare(undefined, true),
};

export const registryPullThrottledSequentialBenchmark: Benchmark = {
  name: 'registry-pull-app-throttled-sequential',
  baselineLabel: throttledLabel,
  targetRatio: 2,
  runs: 3,
  prepare: () => prepare(1, true),
};
