/**
 * Tenancy, driven by the route table: for EVERY registered route, account A (alice) can neither
 * read nor change anything of account B (bob). A route added without an entry here fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../test/harness/databases.js';
import { ADMISSION_TENANCY } from './routes/admission-test-support.js';

afterAll(() => stopSharedPostgres());

const B_DIGEST = `sha256:${'b'.repeat(64)}`;
const B_IMAGE_ID = 'f'.repeat(64);
const enc = encodeURIComponent(B_DIGEST);

type Probe = (api: ApiHarness) => Promise<void>;

/** alice's request must not find B's image (404), whatever the route does with it. */
const notFoundForAlice =
  (method: 'GET' | 'DELETE' | 'POST' | 'PUT', url: string): Probe =>
  async (api) => {
    const res = await api.call('alice', { method, url });
    expect(res.statusCode, `${method} ${url}`).toBe(404);
    expect(res.body).not.toContain('b'.repeat(64));
  };

/** B's image is still there, untouched, after alice's call. */
const bobUnchanged: Probe = async (api) => {
  const image = await api.store.images.get('team-b', B_DIGEST);
  expect(image?.imageStatus).toBe('active');
  expect(image?.annotations).toEqual({ owner: 'b' });
};

const system: Probe = async (api) => {
  const res = await api.call('alice', { method: 'GET', url: '/v1/system' });
  expect(res.body).not.toContain(B_DIGEST);
};

/** Every route: how alice tries to reach B's data. Public routes hold no account data. */
const TENANCY: Record<string, Probe | 'public'> = {
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'GET /swagger.json': 'public',
  'GET /v1/swagger.json': 'public',
  'GET /v1': 'public',
  'GET /v1/health': 'public',
  'GET /v1/ready': 'public',
  'GET /v1/version': system,
  'GET /v1/status': system,
  'GET /v1/system': system,
  'GET /v1/system/services': system,
  'GET /v1/system/services/:servicename': system,
  'GET /v1/system/feeds': system,
  'GET /v1/system/policy_spec': system,
  'GET /v1/system/error_codes': system,
  'POST /v1/images': async (api) => {
    // Adding the same digest makes alice her own record; B's stays B's.
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/images',
      payload: { tag: `registry.example/b/app@${B_DIGEST}`, annotations: { owner: 'a' } },
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { userId: string }[])[0]?.userId).toBe('team-a');
    await bobUnchanged(api);
    await api.store.images.delete('team-a', B_DIGEST);
  },
  'GET /v1/images': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/images' });
    expect(res.body).not.toContain(B_DIGEST);
    expect(
      (await api.call('alice', { method: 'GET', url: '/v1/images?fulltag=registry.example/b/app:latest' }))
        .statusCode,
    ).toBe(404);
  },
  'DELETE /v1/images': async (api) => {
    const res = await api.call('alice', {
      method: 'DELETE',
      url: `/v1/images?imageDigests=${B_DIGEST}&force=True`,
    });
    expect(res.json()).toEqual([{ digest: B_DIGEST, status: 'not_found', detail: 'image not found' }]);
    await bobUnchanged(api);
  },
  'GET /v1/images/by_id/:imageId': notFoundForAlice('GET', `/v1/images/by_id/${B_IMAGE_ID}`),
  'GET /v1/images/:imageDigest': notFoundForAlice('GET', `/v1/images/${enc}`),
  'DELETE /v1/images/:imageDigest': async (api) => {
    await notFoundForAlice('DELETE', `/v1/images/${enc}?force=True`)(api);
    await bobUnchanged(api);
  },
  'GET /v1/images/:imageDigest/vuln': notFoundForAlice('GET', `/v1/images/${enc}/vuln`),
  'GET /v1/images/:imageDigest/vuln/:vtype': notFoundForAlice('GET', `/v1/images/${enc}/vuln/all`),
  'GET /v1/images/:imageDigest/content': notFoundForAlice('GET', `/v1/images/${enc}/content`),
  'GET /v1/images/:imageDigest/content/:ctype': notFoundForAlice('GET', `/v1/images/${enc}/content/os`),
  'GET /v1/images/:imageDigest/metadata': notFoundForAlice('GET', `/v1/images/${enc}/metadata`),
  'GET /v1/images/:imageDigest/metadata/:mtype': notFoundForAlice(
    'GET',
    `/v1/images/${enc}/metadata/manifest`,
  ),
  ...ADMISSION_TENANCY,
};

describe.each(STORE_KINDS)('tenancy of every route on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
    // B owns an analysed image, so every route has something to leak.
    await api.store.images.add({
      accountName: 'team-b',
      imageDigest: B_DIGEST,
      tag: { registry: 'registry.example', repo: 'b/app', tag: 'latest' },
      annotations: { owner: 'b' },
    });
    await api.store.analyses.save({
      imageDigest: B_DIGEST,
      imageId: B_IMAGE_ID,
      analyzerVersion: 'test',
      metadata: {
        manifest: '{}',
        config: { history: [] },
        arch: 'amd64',
        distro: 'debian',
        distroVersion: '12',
        imageSize: 1,
        layerCount: 1,
        retrieved: {},
      },
      sbom: { packages: [], files: [] },
      findings: [],
    });
    await api.store.images.transition(B_DIGEST, ['not_analyzed'], 'analyzed');
  });
  afterAll(() => api.close());

  const routes = () =>
    api.app.routeTable.filter((r) => !r.url.startsWith('/docs')).map((r) => `${r.method} ${r.url}`);

  it('has an entry for every registered route, and no entry for a route that does not exist', () => {
    const registered = routes();
    expect(
      registered.filter((r) => !(r in TENANCY)),
      'routes without a tenancy entry',
    ).toEqual([]);
    expect(
      Object.keys(TENANCY).filter((r) => !registered.includes(r)),
      'entries without a route',
    ).toEqual([]);
  });

  it('keeps account B out of reach of account A on every route', async () => {
    // bob sees his image, so the probes below test isolation, not absence.
    expect((await api.call('bob', { method: 'GET', url: `/v1/images/${enc}/vuln/all` })).statusCode).toBe(
      200,
    );
    for (const route of routes()) {
      const probe = TENANCY[route];
      if (!probe) throw new Error(`no tenancy entry for ${route}`);
      if (probe === 'public') {
        const res = await api.call(null, { method: route.split(' ')[0] as 'GET', url: route.split(' ')[1]! });
        expect(res.body, route).not.toContain(B_DIGEST);
        continue;
      }
      await probe(api);
    }
  });
});
