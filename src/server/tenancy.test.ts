/**
 * Tenancy, driven by the route table: for EVERY registered route, account A (alice) can neither
 * read nor change anything of account B (bob). A route added without an entry here fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../test/harness/databases.js';
import { MONITORING_TENANCY } from './test-support/monitoring-tenancy.js';
import { BUILTIN_BUNDLES } from '../core/policy/index.js';
import { ADMISSION_TENANCY } from './test-support/admission-tenancy.js';
import { ARCHIVE_TENANCY } from './test-support/archive-tenancy.js';
import { HARBOR_TENANCY } from './test-support/harbor-tenancy.js';
import { UI_TENANCY } from '../ui/test-support/ui-tenancy.js';
import { REPORT_TENANCY } from './test-support/report-tenancy.js';
import { CHAT_TENANCY } from './test-support/chat-tenancy.js';
import { PROMOTION_TENANCY } from './test-support/promotion-tenancy.js';
import { QUERY_TENANCY } from './test-support/query-tenancy.js';

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

const B_POLICY = 'bob-only-bundle';
const bobBundle = (name: string) => ({
  ...(BUILTIN_BUNDLES[0]!.document as Record<string, unknown>),
  id: B_POLICY,
  name,
});
const bobPolicyUnchanged: Probe = async (api) => {
  expect((await api.store.policies.get('team-b', B_POLICY))?.name).toBe('bob');
};

const B_REGISTRY = 'registry.example:5000';
const bobRegistryUnchanged: Probe = async (api) => {
  const [b] = await api.store.registries.withSecrets('team-b');
  expect([b?.registryUser, b?.registryPass]).toEqual(['bob', 'bob-secret']);
};

/** An admin-only route: alice is refused (403) and nothing of B's changes. */
const adminOnly =
  (method: 'GET' | 'DELETE' | 'POST' | 'PUT', url: string, payload?: object): Probe =>
  async (api) => {
    const res = await api.call('alice', { method, url, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}`).toBe(403);
    expect((await api.store.accounts.get('team-b'))?.state).toBe('enabled');
    expect((await api.store.users.list('team-b')).map((u) => u.username)).toEqual(['bob']);
    expect(await api.store.users.authenticate('bob', 'bob-password')).toBeDefined();
  };
let bobKeyId = '';
const bobKeyLive: Probe = async (api) => {
  expect((await api.store.tokens.list('bob')).find((t) => t.id === bobKeyId)?.revokedAt).toBeNull();
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
  'POST /v1/system/feeds': adminOnly('POST', '/v1/system/feeds'),
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
  'GET /v1/images/:imageDigest/vuln/:vulnId/explain': notFoundForAlice(
    'GET',
    `/v1/images/${enc}/vuln/CVE-2024-0001/explain`,
  ),
  'GET /v1/images/:imageDigest/content': notFoundForAlice('GET', `/v1/images/${enc}/content`),
  'GET /v1/images/:imageDigest/content/:ctype': notFoundForAlice('GET', `/v1/images/${enc}/content/os`),
  'GET /v1/images/:imageDigest/metadata': notFoundForAlice('GET', `/v1/images/${enc}/metadata`),
  'GET /v1/images/:imageDigest/metadata/:mtype': notFoundForAlice(
    'GET',
    `/v1/images/${enc}/metadata/manifest`,
  ),
  ...MONITORING_TENANCY,
  'GET /v1/images/:imageDigest/check': notFoundForAlice('GET', `/v1/images/${enc}/check`),
  'GET /v1/policies': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/policies?detail=True' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(B_POLICY);
  },
  'POST /v1/policies': async (api) => {
    // The same id makes alice her own bundle; B's stays B's.
    const res = await api.call('alice', { method: 'POST', url: '/v1/policies', payload: bobBundle('alice') });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { userId: string }).userId).toBe('team-a');
    await bobPolicyUnchanged(api);
    await api.store.policies.delete('team-a', B_POLICY);
  },
  'GET /v1/policies/:policyId': notFoundForAlice('GET', `/v1/policies/${B_POLICY}`),
  'PUT /v1/policies/:policyId': async (api) => {
    const res = await api.call('alice', {
      method: 'PUT',
      url: `/v1/policies/${B_POLICY}`,
      payload: { policyId: B_POLICY, active: true, policybundle: bobBundle('alice') },
    });
    expect(res.statusCode).toBe(404);
    await bobPolicyUnchanged(api);
  },
  'GET /v1/registries': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/registries' });
    expect(res.json()).toEqual([]);
  },
  'POST /v1/registries': async (api) => {
    // The same registry is alice's own credential; B's password and user stay B's.
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/registries?validate=False',
      payload: { registry: B_REGISTRY, registry_user: 'alice', registry_pass: 'alice-secret' },
    });
    expect(res.statusCode).toBe(200);
    await bobRegistryUnchanged(api);
    await api.store.registries.delete('team-a', B_REGISTRY);
  },
  'GET /v1/registries/:registry': notFoundForAlice('GET', `/v1/registries/${encodeURIComponent(B_REGISTRY)}`),
  'PUT /v1/registries/:registry': async (api) => {
    const res = await api.call('alice', {
      method: 'PUT',
      url: `/v1/registries/${encodeURIComponent(B_REGISTRY)}?validate=False`,
      payload: { registry: B_REGISTRY, registry_user: 'alice', registry_pass: 'alice-secret' },
    });
    expect(res.statusCode).toBe(404);
    await bobRegistryUnchanged(api);
  },
  'DELETE /v1/registries/:registry': async (api) => {
    await notFoundForAlice('DELETE', `/v1/registries/${encodeURIComponent(B_REGISTRY)}`)(api);
    await bobRegistryUnchanged(api);
  },
  'GET /v1/summaries/imagetags': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/summaries/imagetags?image_status=all' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(B_DIGEST);
  },
  'GET /v1/images/:imageDigest/sbom': notFoundForAlice('GET', `/v1/images/${enc}/sbom?format=spdx-json`),
  'GET /v1/account': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/account' });
    expect((res.json() as { name: string }).name).toBe('team-a');
    expect(
      (
        await api.call('alice', {
          method: 'GET',
          url: '/v1/account',
          headers: { 'x-anchore-account': 'team-b' },
        })
      ).statusCode,
    ).toBe(403);
  },
  'GET /v1/user': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/user' });
    expect((res.json() as { username: string }).username).toBe('alice');
  },
  'POST /v1/user/credentials': async (api) => {
    // Only the caller's own password changes.
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/user/credentials',
      payload: { type: 'password', value: 'alice-password' },
    });
    expect(res.statusCode).toBe(200);
    expect(await api.store.users.authenticate('bob', 'bob-password')).toBeDefined();
  },
  'GET /v1/accounts': adminOnly('GET', '/v1/accounts'),
  'POST /v1/accounts': adminOnly('POST', '/v1/accounts', { name: 'team-b' }),
  'GET /v1/accounts/:accountname': adminOnly('GET', '/v1/accounts/team-b'),
  'DELETE /v1/accounts/:accountname': adminOnly('DELETE', '/v1/accounts/team-b'),
  'PUT /v1/accounts/:accountname/state': adminOnly('PUT', '/v1/accounts/team-b/state', { state: 'disabled' }),
  'GET /v1/accounts/:accountname/users': adminOnly('GET', '/v1/accounts/team-b/users'),
  'POST /v1/accounts/:accountname/users': adminOnly('POST', '/v1/accounts/team-b/users', {
    username: 'mallory',
    password: 'mallory-password',
  }),
  'GET /v1/accounts/:accountname/users/:username': adminOnly('GET', '/v1/accounts/team-b/users/bob'),
  'DELETE /v1/accounts/:accountname/users/:username': adminOnly('DELETE', '/v1/accounts/team-b/users/bob'),
  'POST /v1/accounts/:accountname/users/:username/credentials': adminOnly(
    'POST',
    '/v1/accounts/team-b/users/bob/credentials',
    { type: 'password', value: 'taken-over' },
  ),
  'GET /v1/user/api_keys': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/user/api_keys' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(bobKeyId);
  },
  'POST /v1/user/api_keys': async (api) => {
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/user/api_keys',
      payload: { name: 'ci' },
    });
    expect(res.statusCode).toBe(200);
    const key = res.json() as { id: string };
    expect((await api.store.tokens.list('alice')).map((t) => t.id)).toContain(key.id);
    await bobKeyLive(api);
  },
  'DELETE /v1/user/api_keys/:keyId': async (api) => {
    await notFoundForAlice('DELETE', `/v1/user/api_keys/${bobKeyId}`)(api);
    await bobKeyLive(api);
  },
  'DELETE /v1/policies/:policyId': async (api) => {
    await notFoundForAlice('DELETE', `/v1/policies/${B_POLICY}`)(api);
    await bobPolicyUnchanged(api);
  },
  ...ADMISSION_TENANCY,
  ...HARBOR_TENANCY,
  ...REPORT_TENANCY,
  ...CHAT_TENANCY,
  ...PROMOTION_TENANCY,
  ...QUERY_TENANCY,
  ...ARCHIVE_TENANCY,
  ...UI_TENANCY,
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
    bobKeyId = (await api.store.tokens.create({ username: 'bob', name: 'bob-ci' })).token.id;
    await api.store.registries.create({
      accountName: 'team-b',
      registry: B_REGISTRY,
      registryName: B_REGISTRY,
      registryUser: 'bob',
      registryPass: 'bob-secret',
      registryType: 'docker_v2',
      registryVerify: true,
    });
    await api.store.policies.upsert({
      accountName: 'team-b',
      policyId: B_POLICY,
      name: 'bob',
      bundle: bobBundle('bob'),
    });
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
