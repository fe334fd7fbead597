/**
 * Harbor's scanner adapter against a real TLS + htpasswd registry holding an image built from
 * Debian packages, on both stores, with the real worker analysing: every request Harbor would
 * send and every answer checked against the adapter API's schema facts (test-support fixture).
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARBOR_TOKEN, startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import {
  loadFeeds,
  pushAppFixture,
  serviceOpenOptions,
  type PushedFixture,
} from '../../../test/harness/service-fixture.js';
import type { Finding } from '../../core/matching/types.js';
import type { HarborVulnerabilityReport } from '../../core/report/harbor.js';
import { createAnalyzeImage } from '../../main/analyze-image.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';
import { analyzeImageJob } from '../../worker/jobs/analyze-image.js';
import { WorkerRunner } from '../../worker/runner.js';
import { MIME } from './mime.js';

const schemaDoc = JSON.parse(
  await readFile(new URL('./test-support/scanner-adapter-v1.1.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
ajv.addSchema(schemaDoc);
const conforms = (definition: string, value: unknown) => {
  const validate = ajv.getSchema(
    `https://portcullis.test/harbor-scanner-adapter-v1.1.json#/definitions/${definition}`,
  )!;
  expect(validate(value), `${definition}: ${ajv.errorsText(validate.errors)}`).toBe(true);
};

let pushed: PushedFixture;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-harbor-'));
  pushed = await pushAppFixture();
}, 900_000);
afterAll(async () => {
  await pushed?.registry.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

const harbor = { bearer: HARBOR_TOKEN };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** What Harbor sends, checked against the ScanRequest schema before it goes out. */
function scanRequest(authorization: string, digest = pushed.digest) {
  const body = {
    registry: { url: `https://${pushed.registry.host}`, authorization },
    artifact: {
      repository: 'fixtures/app',
      digest,
      tag: '1',
      mime_type: 'application/vnd.oci.image.manifest.v1+json',
      size: 1234,
      namespace_id: 1,
    },
  };
  conforms('ScanRequest', body);
  return body;
}

describe.each(STORE_KINDS)('Harbor scanner adapter on %s', (kind) => {
  let api: ApiHarness;
  let runner: WorkerRunner;

  const post = (payload: unknown, contentType = MIME.scanRequest) =>
    api.call(harbor, {
      method: 'POST',
      url: '/api/v1/scan',
      headers: { 'content-type': contentType, accept: MIME.scanResponse },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const report = (id: string, accept: string, query = '') =>
    api.call(harbor, { method: 'GET', url: `/api/v1/scan/${id}/report${query}`, headers: { accept } });
  const scanId = (res: LightMyRequestResponse) => {
    expect(res.statusCode, res.body).toBe(202);
    expect(res.headers['content-type']).toBe(MIME.scanResponse);
    conforms('ScanResponse', res.json());
    return res.json<{ id: string }>().id;
  };
  const settled = async (id: string) => {
    for (;;) {
      const res = await report(id, MIME.genericReport);
      if (res.statusCode !== 302) return res;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const isError = (res: LightMyRequestResponse, status: number) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toBe(MIME.error);
    conforms('ErrorResponse', res.json());
  };

  beforeAll(async () => {
    const open = serviceOpenOptions(pushed.registry, join(root, kind));
    api = await startApi(kind, open);
    const vulnerabilities = vulnerabilityDataOf(api.database.db, await loadFeeds(api.database.db));
    const analyze = createAnalyzeImage({ environment: open, tempRoot: root, vulnerabilities });
    runner = new WorkerRunner(
      api.queue,
      [analyzeImageJob({ store: api.store, analyze, hostId: 'test' })],
      { owner: 'w', concurrency: 1, pollMs: 100, drainTimeoutMs: 10_000 },
      pino({ level: 'silent' }),
    );
  }, 900_000);
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
  });

  it('describes itself: scanner, the manifests it consumes, the reports it produces', async () => {
    const res = await api.call(harbor, {
      method: 'GET',
      url: '/api/v1/metadata',
      headers: { accept: MIME.metadata },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(MIME.metadata);
    const metadata = res.json<{ capabilities: { produces_mime_types: string[] }[]; properties: object }>();
    conforms('ScannerAdapterMetadata', metadata);
    expect(metadata.capabilities.flatMap((c) => c.produces_mime_types)).toEqual([
      MIME.nativeReport,
      MIME.genericReport,
      MIME.sbomReport,
    ]);
    expect(metadata.properties).toHaveProperty('harbor.scanner-adapter/vulnerability-database-updated-at');
    isError(await api.call(null, { method: 'GET', url: '/api/v1/metadata' }), 401);
  });

  it('answers 302 with Refresh-After while the scan runs, then reports with the pull credential gone', async () => {
    const id = scanId(await post(scanRequest(basic(pushed.registry.username, pushed.registry.password))));
    expect(await api.store.harborScans.holdsCredential(id)).toBe(true);
    const pending = await report(id, MIME.genericReport);
    expect(pending.statusCode).toBe(302);
    expect(pending.headers['refresh-after']).toBe('5');
    expect(pending.headers['retry-after']).toBe('5');
    runner.start();
    const done = await settled(id);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.headers['content-type']).toBe(MIME.genericReport);
    // Harbor's credential lives only as long as the job: erased, not even sealed, afterwards.
    expect(await api.store.harborScans.holdsCredential(id)).toBe(false);
    const rows = await api.database.db.query('SELECT * FROM harbor_scan');
    expect(JSON.stringify(rows.rows)).not.toContain(pushed.registry.password);

    const body = done.json<HarborVulnerabilityReport>();
    conforms('HarborVulnerabilityReport', body);
    expect(body.artifact).toMatchObject({ repository: 'fixtures/app', digest: pushed.digest, tag: '1' });
    const findings = (await api.store.analyses.get(pushed.digest))!.findings as Finding[];
    const live = findings.filter((f) => !f.suppressed);
    expect(body.vulnerabilities.length).toBe(live.length);
    expect(body.vulnerabilities.length).toBeGreaterThan(0);
    // Each finding names its layer: the manifest's blob digest with the config's diff id.
    const manifest = pushed.fixture.manifests[0]!;
    const layers = manifest.layers.map((l, i) => ({ digest: l.digest, diff_id: manifest.diffIds[i] }));
    for (const v of body.vulnerabilities) {
      expect(v.links.length, v.id).toBeGreaterThan(0);
      expect(layers, v.id).toContainEqual(v.layer);
    }
    // CVSS v3 where the data knows one, and fix versions where a fix exists.
    const withV3 = live.filter((f) => f.cvss.some((c) => c.version.startsWith('3')));
    expect(body.vulnerabilities.filter((v) => v.preferred_cvss?.vector_v3).length).toBe(withV3.length);
    expect(body.vulnerabilities.filter((v) => v.fix_version).length).toBe(
      live.filter((f) => f.fixedVersions.length > 0).length,
    );

    const native = await report(id, MIME.nativeReport);
    expect(native.headers['content-type']).toBe(MIME.nativeReport);
    conforms('HarborVulnerabilityReport', native.json());
    expect(native.json<HarborVulnerabilityReport>().severity).toBe(body.severity);

    for (const media of ['application/vnd.cyclonedx+json', 'application/spdx+json']) {
      const sbom = await report(id, MIME.sbomReport, `?sbom_media_type=${encodeURIComponent(media)}`);
      expect(sbom.statusCode).toBe(200);
      conforms('HarborSbomReport', sbom.json());
      expect(sbom.json<{ media_type: string }>().media_type).toBe(media);
    }
    expect((await report(id, MIME.sbomReport)).json<{ sbom: { bomFormat: string } }>().sbom.bomFormat).toBe(
      'CycloneDX',
    );
    // The image is the adapter account's, analysed, like one added through /v1/images.
    expect((await api.store.images.get('team-a', pushed.digest))?.analysisStatus).toBe('analyzed');

    // Scanned again: answered from the analysis at once, no credential ever stored.
    const again = scanId(await post(scanRequest(basic('robot', 'irrelevant'))));
    expect(await api.store.harborScans.holdsCredential(again)).toBe(false);
    expect((await report(again, MIME.nativeReport)).statusCode).toBe(200);
  });

  it('fails a scan the registry refuses with the spec error, credential erased', async () => {
    runner.start();
    const unknown = `sha256:${'0'.repeat(64)}`;
    for (const authorization of [basic(pushed.registry.username, 'wrong-password'), '']) {
      const id = scanId(await post(scanRequest(authorization, unknown)));
      const failed = await settled(id);
      isError(failed, 500);
      expect(failed.json<{ error: { message: string } }>().error.message).toMatch(/scan failed/);
      expect(await api.store.harborScans.holdsCredential(id)).toBe(false);
    }
  });

  it('refuses bad requests with the adapter error shape', async () => {
    isError(await post('{not json'), 400);
    isError(await post(scanRequest('Digest abc')), 422);
    const bad = scanRequest('');
    isError(await post({ ...bad, artifact: { ...bad.artifact, digest: 'sha256:short' } }), 422);
    isError(
      await post({
        ...bad,
        artifact: { ...bad.artifact, mime_type: 'application/vnd.oci.image.index.v1+json' },
      }),
      422,
    );
    isError(await post({ ...bad, registry: { url: 'ftp://x' } }), 422);
    isError(await report('00000000-0000-4000-8000-000000000000', MIME.genericReport), 404);
    isError(await report('not-an-id', MIME.genericReport), 404);
    const id = scanId(await post(scanRequest('')));
    isError(await report(id, 'application/vnd.scanner.adapter.vuln.report.raw'), 400);
    isError(await report(id, MIME.sbomReport, '?sbom_media_type=text/plain'), 400);
    isError(await api.call(harbor, { method: 'GET', url: '/api/v1/nothing' }), 404);
  });
});
