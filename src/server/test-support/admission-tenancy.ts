/**
 * Tenancy probes for the admission routes, spread into the route table of `tenancy.test.ts`:
 * account B (bob) owns an exception and an audit row; alice must neither see nor change them.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_RELEASE = 'b-secret-release';

async function bobException(api: ApiHarness): Promise<string> {
  const existing = await api.store.admission.listExceptions('team-b');
  if (existing[0]) return existing[0].id;
  const created = await api.store.admission.addException('team-b', {
    release: B_RELEASE,
    namespace: undefined,
    creator: 'bob',
    reason: 'b only',
    expiresAt: undefined,
  });
  return created.id;
}

async function bobAudit(api: ApiHarness): Promise<void> {
  await api.store.admission.recordAudit('team-b', {
    time: new Date(),
    cluster: 'b-cluster',
    uid: 'b-uid',
    namespace: 'b-namespace',
    operation: 'CREATE',
    kind: 'Pod',
    name: B_RELEASE,
    release: B_RELEASE,
    user: 'bob',
    images: [],
    allowed: false,
    verdict: 'denied',
    reasons: ['b reason'],
    mode: 'policy',
    exception: undefined,
    dryRun: false,
    stale: false,
  });
}

export const ADMISSION_TENANCY: Record<string, Probe> = {
  'GET /v1/admission/exceptions': async (api) => {
    await bobException(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/admission/exceptions' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(B_RELEASE);
  },
  'POST /v1/admission/exceptions': async (api) => {
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/admission/exceptions',
      payload: { release: 'a-release', reason: 'a' },
    });
    expect(res.statusCode).toBe(200);
    expect((await api.store.admission.listExceptions('team-b')).map((e) => e.release)).not.toContain(
      'a-release',
    );
  },
  'GET /v1/admission/exceptions/:exceptionId': async (api) => {
    const id = await bobException(api);
    const res = await api.call('alice', { method: 'GET', url: `/v1/admission/exceptions/${id}` });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(B_RELEASE);
  },
  'DELETE /v1/admission/exceptions/:exceptionId': async (api) => {
    const id = await bobException(api);
    const res = await api.call('alice', { method: 'DELETE', url: `/v1/admission/exceptions/${id}` });
    expect(res.statusCode).toBe(404);
    expect(await api.store.admission.getException('team-b', id)).toBeDefined();
  },
  'GET /v1/admission/audit': async (api) => {
    await bobAudit(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/admission/audit?namespace=b-namespace' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ records: [], next: null });
  },
  'GET /v1/admission/config': async (api) => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/admission/config' });
    expect(res.statusCode).toBe(404);
  },
};
