/**
 * Issue 3's SBOM targets, on the `app` fixture: a cold SBOM (no layer cache) against
 * `gunzip -c` of its layers; the same cold SBOM against cdxgen on the docker archive; and a
 * warm re-scan from the layer cache against a fixed 100 ms budget. Every side goes through
 * the real `portcullis sbom` path (the pipeline's analyze use case); only the cdxgen comparison also renders
 * CycloneDX, because that is what cdxgen's run produces.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveImageOptions } from '../src/config/index.js';
import { RegistryClients } from '../src/core/image/backends/registry/clients.js';
import { analyze } from '../src/core/pipeline/index.js';
import { renderSbom } from '../src/core/sbom/formats/index.js';
import type { SbomDocument } from '../src/core/sbom/document.js';
import { getFixtureImage, type FixtureImage } from '../test/harness/fixtures/index.js';
import { gunzipToDevNull } from './baselines.js';
import { ensureCdxgen, runCdxgen } from './sbom-cdxgen.js';
import type { Benchmark, PreparedBenchmark } from './types.js';

interface Setup {
  fixture: FixtureImage;
  temp: string;
  cleanup(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const fixture = await getFixtureImage('app');
  const temp = await mkdtemp(join(tmpdir(), 'portcullis-bench-sbom-'));
  return { fixture, temp, cleanup: () => rm(temp, { recursive: true, force: true }) };
}

/** The inventory `portcullis sbom` prints: image open, layer pass (or cache), catalogers. */
async function scan(source: string, cacheDir: string, useCache: boolean): Promise<SbomDocument> {
  // As the CLI does: a private temp dir per analysis, removed afterwards.
  const temp = await mkdtemp(join(tmpdir(), 'portcullis-'));
  try {
    const { settings, request } = resolveImageOptions({ cacheDir }, undefined, temp);
    const environment = { ...settings, clients: new RegistryClients(settings.registry) };
    const { document } = await analyze({
      subject: { kind: 'image', source },
      environment,
      image: request,
      catalog: { layerCache: useCache },
    }).finally(() => environment.clients.close());
    return document;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

export const sbomColdBenchmark: Benchmark = {
  name: 'sbom-cold-app',
  baselineLabel: 'gunzip -c of the app fixture layers',
  targetRatio: 1.5,
  runs: 5,
  async prepare(): Promise<PreparedBenchmark> {
    const s = await setup();
    const blobs = s.fixture.hostManifest.layers.map((l) =>
      join(s.fixture.ociLayoutDir, 'blobs', ...l.digest.split(':')),
    );
    const source = `oci-archive:${s.fixture.ociArchive}`;
    return {
      measure: async () => void (await scan(source, join(s.temp, 'cache'), false)),
      baseline: () => gunzipToDevNull(blobs),
      cleanup: s.cleanup,
    };
  },
};

export const sbomVersusCdxgenBenchmark: Benchmark = {
  name: 'sbom-vs-cdxgen-app',
  baselineLabel: 'cdxgen -t docker on the app docker archive',
  targetRatio: 0.1,
  runs: 1,
  async prepare(): Promise<PreparedBenchmark> {
    const s = await setup();
    const bin = await ensureCdxgen();
    const archive = s.fixture.dockerArchive;
    return {
      // Both sides end with a CycloneDX BOM in memory, as cdxgen ends with one on disk.
      measure: async () => {
        const doc = await scan(`docker-archive:${archive}`, join(s.temp, 'cache'), false);
        renderSbom(doc, 'cyclonedx-json');
      },
      baseline: async () => {
        const work = await mkdtemp(join(s.temp, 'cdxgen-'));
        try {
          await runCdxgen(bin, archive, join(work, 'bom.json'), work);
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      },
      cleanup: s.cleanup,
    };
  },
};

const BUDGET_MS = 100;

export const sbomWarmBenchmark: Benchmark = {
  name: 'sbom-warm-app',
  baselineLabel: `${BUDGET_MS} ms budget (a timer)`,
  targetRatio: 1,
  runs: 10,
  async prepare(): Promise<PreparedBenchmark> {
    const s = await setup();
    const source = `oci-archive:${s.fixture.ociArchive}`;
    const cacheDir = join(s.temp, 'cache');
    await scan(source, cacheDir, true); // fills the layer cache; not timed
    return {
      measure: async () => void (await scan(source, cacheDir, true)),
      baseline: () => new Promise((resolve) => setTimeout(resolve, BUDGET_MS)),
      cleanup: s.cleanup,
    };
  },
};
