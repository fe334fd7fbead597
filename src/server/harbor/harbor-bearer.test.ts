/**
 * Harbor may hand the scanner a registry token (`Bearer …`) instead of robot basic credentials:
 * the adapter pulls with that token as it is, from a real token-auth registry, and asks the
 * token service for nothing.
 */
import { get } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARBOR_TOKEN, startApi, type ApiHarness } from '../../../test/harness/api.js';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { serviceOpenOptions } from '../../../test/harness/service-fixture.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { analyzeImageJob } from '../../worker/jobs/analyze-image.js';
import { WorkerRunner } from '../../worker/runner.js';
import { MIME } from './mime.js';

let registry: TestRegistry;
let digest: string;
let root: string;
let api: ApiHarness;
let runner: WorkerRunner;

/** A pull token for `repository`, as Harbor's core would mint one for its scan job. */
function pullToken(repository: string): Promise<string> {
  const issuer = registry.tokenIssuer!;
  const url = `${issuer.realm}?service=${encodeURIComponent(issuer.service)}&scope=repository:${repository}:pull`;
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  return new Promise((resolve, reject) => {
    get(url, { ca: registry.caPem, headers: { authorization: `Basic ${auth}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString()) as { token: string }).token));
    }).on('error', reject);
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-harbor-bearer-'));
  const [started, fixture] = await Promise.all([startRegistry('token'), getFixtureImage('app')]);
  registry = started;
  await pushImage(registry, `oci:${fixture.ociLayoutDir}:${fixture.tag}`, 'fixtures/app:1');
  digest = fixture.manifests[0]!.manifestDigest;
  const open = serviceOpenOptions(registry, join(root, 'cache'));
  api = await startApi('PGlite', open);
  const data = vulnerabilityDataOf(api.database.db, new VulnerabilityStore(api.database.db));
  runner = new WorkerRunner(
    api.queue,
    [
      analyzeImageJob({
        store: api.store,
        analyze: createAnalyzeImage({ environment: open, tempRoot: root, vulnerabilities: data }),
      }),
    ],
    { owner: 'w', concurrency: 1, pollMs: 100, drainTimeoutMs: 10_000 },
    pino({ level: 'silent' }),
  );
  runner.start();
}, 900_000);
afterAll(async () => {
  await runner?.stop();
  await api?.close();
  await registry?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('a Harbor scan with a registry token', () => {
  it('pulls with the token as it is and reports', async () => {
    const token = await pullToken('fixtures/app');
    const issued = registry.tokenIssuer!.requests;
    const res = await api.call(
      { bearer: HARBOR_TOKEN },
      {
        method: 'POST',
        url: '/api/v1/scan',
        headers: { 'content-type': MIME.scanRequest },
        payload: JSON.stringify({
          registry: { url: `https://${registry.host}`, authorization: `Bearer ${token}` },
          artifact: { repository: 'fixtures/app', digest, tag: '1' },
        }),
      },
    );
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json<{ id: string }>();
    let report = await api.call(
      { bearer: HARBOR_TOKEN },
      { method: 'GET', url: `/api/v1/scan/${id}/report` },
    );
    while (report.statusCode === 302) {
      await new Promise((r) => setTimeout(r, 200));
      report = await api.call({ bearer: HARBOR_TOKEN }, { method: 'GET', url: `/api/v1/scan/${id}/report` });
    }
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json<{ artifact: { digest: string } }>().artifact.digest).toBe(digest);
    expect(registry.tokenIssuer!.requests).toBe(issued);
    expect(await api.store.harborScans.holdsCredential(id)).toBe(false);
  });
});
