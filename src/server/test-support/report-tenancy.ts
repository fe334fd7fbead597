/**
 * Tenancy probes of the report routes, merged into the route-table test in
 * src/server/tenancy.test.ts: alice can neither render team-b's report nor see its image or
 * team in the report list.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_DIGEST = `sha256:${'b'.repeat(64)}`;

export const REPORT_TENANCY: Record<string, Probe> = {
  'GET /v1/images/:imageDigest/report': async (api) => {
    for (const format of ['html', 'pdf']) {
      const res = await api.call('alice', {
        method: 'GET',
        url: `/v1/images/${encodeURIComponent(B_DIGEST)}/report?format=${format}`,
      });
      expect(res.statusCode, format).toBe(404);
      expect(res.body).not.toContain('b'.repeat(64));
    }
  },
  'GET /v1/reports': async (api) => {
    // bob's image is labelled owner=b: bob sees it under his team, alice sees nothing of it.
    const bob = await api.call('bob', { method: 'GET', url: '/v1/reports?team=b' });
    expect(bob.body).toContain(B_DIGEST);
    for (const url of ['/v1/reports', '/v1/reports?team=b']) {
      const res = await api.call('alice', { method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).not.toContain(B_DIGEST);
    }
  },
};
