/**
 * Tenancy probes for Harbor's scanner adapter routes (/api/v1), spread into the route table of
 * `tenancy.test.ts`. They take Harbor's bearer token only (never an Anchore user's password or
 * API key), and act in the adapter's account, team-a: account B's (bob's) scans stay unseen.
 */
import { expect } from 'vitest';
import { HARBOR_TOKEN, type ApiHarness } from '../../../test/harness/api.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_DIGEST = `sha256:${'b'.repeat(64)}`;
const GENERIC = 'application/vnd.security.vulnerability.report; version=1.1';

/** Anchore's credentials, even valid ones, do not open the adapter's routes. */
async function refusesAnchoreCredentials(api: ApiHarness, method: 'GET' | 'POST', url: string) {
  for (const who of ['alice', 'bob', null] as const) {
    const res = await api.call(who, { method, url });
    expect(res.statusCode, `${method} ${url} as ${String(who)}`).toBe(401);
    expect(res.json()).toHaveProperty('error.message');
  }
  const wrong = await api.call({ bearer: `${HARBOR_TOKEN}x` }, { method, url });
  expect(wrong.statusCode).toBe(401);
}

const harbor = { bearer: HARBOR_TOKEN };

export const HARBOR_TENANCY: Record<string, Probe> = {
  'GET /api/v1/metadata': async (api) => {
    await refusesAnchoreCredentials(api, 'GET', '/api/v1/metadata');
    const res = await api.call(harbor, { method: 'GET', url: '/api/v1/metadata' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(B_DIGEST);
  },
  'POST /api/v1/scan': async (api) => {
    await refusesAnchoreCredentials(api, 'POST', '/api/v1/scan');
    const before = await api.store.images.get('team-b', B_DIGEST);
    const res = await api.call(harbor, {
      method: 'POST',
      url: '/api/v1/scan',
      payload: {
        registry: { url: 'https://registry.example', authorization: '' },
        artifact: { repository: 'b/app', digest: B_DIGEST, tag: 'latest' },
      },
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    expect((await api.store.harborScans.get('team-a', id))?.accountName).toBe('team-a');
    expect(await api.store.harborScans.get('team-b', id)).toBeUndefined();
    expect(await api.store.images.get('team-b', B_DIGEST)).toEqual(before);
    await api.store.images.delete('team-a', B_DIGEST);
  },
  'GET /api/v1/scan/:id/report': async (api) => {
    const bobs = await api.store.harborScans.create({
      accountName: 'team-b',
      registryUrl: 'https://registry.example',
      repository: 'b/app',
      digest: B_DIGEST,
      tag: 'latest',
      mimeType: 'application/vnd.oci.image.manifest.v1+json',
      insecure: false,
      authorization: 'Bearer bob-registry-token',
    });
    await api.store.harborScans.finish(bobs.id, null);
    await refusesAnchoreCredentials(api, 'GET', `/api/v1/scan/${bobs.id}/report`);
    const res = await api.call(harbor, {
      method: 'GET',
      url: `/api/v1/scan/${bobs.id}/report`,
      headers: { accept: GENERIC },
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(B_DIGEST);
  },
};
