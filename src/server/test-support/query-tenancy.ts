/**
 * Tenancy probes of the /query routes and the registry push endpoint, merged into the route-table test in
 * src/server/tenancy.test.ts: team-b's analysed image holds the package and the finding asked
 * for, and alice's answers never name it.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_QUERIED = `sha256:${'e'.repeat(64)}`;

async function bobVulnerableImage(api: ApiHarness): Promise<void> {
  if (await api.store.images.get('team-b', B_QUERIED)) return;
  await api.store.images.add({
    accountName: 'team-b',
    imageDigest: B_QUERIED,
    tag: { registry: 'registry.example', repo: 'b/queried', tag: 'latest' },
  });
  await api.store.analyses.save(
    syntheticAnalysis(
      B_QUERIED,
      [{ name: 'bobpkg', version: '1.0' }],
      [{ id: 'CVE-2099-0001', package: 'bobpkg' }],
    ),
  );
  await api.store.images.transition(B_QUERIED, ['not_analyzed'], 'analyzed');
}

const aliceSeesNothing =
  (url: string): Probe =>
  async (api) => {
    await bobVulnerableImage(api);
    // bob's own answer names the image, so alice's empty one tests isolation, not absence.
    expect((await api.call('bob', { method: 'GET', url })).body).toContain(B_QUERIED);
    const res = await api.call('alice', { method: 'GET', url });
    expect(res.statusCode, url).toBe(200);
    expect(res.json()).toMatchObject({ total_count: 0, returned_count: 0 });
    expect(res.body).not.toContain(B_QUERIED);
  };

export const QUERY_TENANCY: Record<string, Probe> = {
  'POST /v1/repositories': async (api) => {
    await api.store.subscriptions.add({
      accountName: 'team-b',
      type: 'repo_update',
      key: 'registry.example/b/queried',
      value: '{"autosubscribe":false,"lookuptag":"latest","tagcount":1}',
      active: true,
    });
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/repositories?repository=registry.example/b/queried&dryrun=True',
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { userId: string }[])[0]?.userId).toBe('team-a');
    const [bob] = await api.store.subscriptions.list('team-b', { type: 'repo_update' });
    expect(bob?.value).toBe('{"autosubscribe":false,"lookuptag":"latest","tagcount":1}');
  },
  'POST /v1/registry/notifications': async (api) => {
    // Only a registry's shared token is accepted: a user's own credentials are not.
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/registry/notifications',
      payload: { events: [] },
    });
    expect(res.statusCode).toBe(401);
    const { rows } = await api.store.db.query('SELECT 1 FROM registry_push_event');
    expect(rows).toEqual([]);
  },
  'GET /v1/query/images/by_vulnerability': aliceSeesNothing(
    '/v1/query/images/by_vulnerability?vulnerability_id=CVE-2099-0001',
  ),
  'GET /v1/query/images/by_package': aliceSeesNothing('/v1/query/images/by_package?name=bobpkg'),
  'GET /v1/query/vulnerabilities': async (api) => {
    // Vulnerability records are shared feed data; they name no account's image.
    await bobVulnerableImage(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/query/vulnerabilities?id=CVE-2099-0001' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(B_QUERIED);
  },
};
