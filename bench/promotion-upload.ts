/**
 * What chunked uploads cost across registries (ADR 0014): the `app` fixture copied by digest
 * from one docker-registry (TLS + htpasswd) to another, every blob above 1 MiB in 16 MiB chunks
 * (PATCH per chunk, then PUT), against the same copy with every blob in one monolithic PUT.
 * Each run copies to a fresh repository, so every blob is uploaded. Our process's CPU time per
 * side is printed after the table's runs (wall time is noisy on a shared machine).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
import { inspectRaw, pushImage } from '../test/harness/registry/push.js';
import { startRegistry } from '../test/harness/registry/start-registry.js';
import { copyImage } from '../src/core/image/backends/registry/copy.js';
import { registryClient } from '../src/core/image/backends/registry/index.js';
import { testImageOptions } from '../src/core/image/test-support/image-options.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

const MiB = 1024 * 1024;

export const promotionUploadBenchmark: Benchmark = {
  name: 'promotion-upload-chunked',
  baselineLabel: 'the same cross-registry copy with monolithic PUTs',
  targetRatio: 1.25,
  runs: 5,
  async prepare(): Promise<PreparedBenchmark> {
    const root = await mkdtemp(join(tmpdir(), 'pc-bench-upload-'));
    const [a, b, app] = await Promise.all([
      startRegistry('tls-basic'),
      startRegistry('tls-basic'),
      getFixtureImage('app'),
    ]);
    await pushImage(a, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
    const digest = `sha256:${createHash('sha256')
      .update(await inspectRaw(a, 'unscanned/app:1'))
      .digest('hex')}`;
    const { env } = testImageOptions({
      cacheDir: join(root, 'cache'),
      registry: { extraCaPem: [a.caPem, b.caPem], timeoutMs: 30_000, retries: 2 },
      credentials: {
        [a.host]: { username: a.username ?? '', password: a.password ?? '' },
        [b.host]: { username: b.username ?? '', password: b.password ?? '' },
      },
    });
    let n = 0;
    const cpu = { chunked: 0, monolithic: 0 };
    const runs = { chunked: 0, monolithic: 0 };
    const copy = async (side: keyof typeof cpu, chunkThreshold: number) => {
      const start = process.cpuUsage();
      await copyImage({
        source: { client: registryClient(a.host, env), repository: 'unscanned/app' },
        destination: { client: registryClient(b.host, env), repository: `${side}-${++n}/app` },
        digest,
        tags: ['1'],
        maxManifestBytes: 4 * MiB,
        upload: { chunkThreshold, chunkSize: 16 * MiB },
      });
      const used = process.cpuUsage(start);
      cpu[side] += (used.user + used.system) / 1000;
      runs[side]++;
    };
    return {
      measure: () => copy('chunked', MiB),
      baseline: () => copy('monolithic', Number.MAX_SAFE_INTEGER),
      async cleanup() {
        process.stderr.write(
          `promotion-upload-chunked: CPU ms per copy of this process (warm-up included): chunked ${(cpu.chunked / runs.chunked).toFixed(0)}, monolithic ${(cpu.monolithic / runs.monolithic).toFixed(0)}\n`,
        );
        await env.clients.close();
        await Promise.all([a.stop(), b.stop()]);
        await rm(root, { recursive: true, force: true });
      },
    };
  },
};
