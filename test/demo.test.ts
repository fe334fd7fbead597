/**
 * The service part of `npm run demo`, non-interactively: `portcullis serve` on a fresh embedded
 * store with the data mirror and the sample image (`--load-image`), until the sample is analysed;
 * then its vulnerabilities and policy evaluation through the API, as the demo prints them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startDemoService, summarize, waitForSample, type DemoService } from '../scripts/demo-service.js';
import { getFixtureImage } from './harness/fixtures/index.js';
import { SHARED_DATA } from './support/shared-data.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

describe('npm run demo, service part', () => {
  let dataDir: string | undefined;
  let service: DemoService | undefined;
  afterAll(async () => {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the sample analysed, with vulnerabilities from the mirror and a policy evaluation', async () => {
    const image = await getFixtureImage('app');
    dataDir = await mkdtemp(join(tmpdir(), 'pc-demo-'));
    service = await startDemoService({
      command: ['--import', 'tsx', CLI],
      dataDir,
      mirror: SHARED_DATA,
      source: `oci-dir:${image.ociLayoutDir}:${image.tag}`,
      listen: '127.0.0.1:0',
    });
    const sample = await waitForSample(service);
    expect(sample.digest).toBe(image.manifests[0]!.manifestDigest);
    expect(sample.vulnerabilities.length).toBeGreaterThan(10);
    expect(
      sample.vulnerabilities.some((v) => v.package.startsWith('openssl') || v.package.startsWith('lib')),
    ).toBe(true);
    expect(['pass', 'fail']).toContain(sample.policyStatus);
    const text = summarize(sample);
    expect(text).toContain(sample.url);
    expect(text).toContain(sample.passwordFile);
    expect(text.match(/curl -u /g)).toHaveLength(3);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  }, 1_800_000);
});
