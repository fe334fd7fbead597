/**
 * Tenancy probes of the analysis archive, merged into the route-table test in
 * src/server/tenancy.test.ts: team-b holds an archived image and an archive rule; alice can
 * neither read, archive, restore nor delete them.
 */
import { expect } from 'vitest';
import type { ApiHarness } from '../../../test/harness/api.js';
import { archiveImage } from '../../archive/images.js';
import { ArchiveRuleRepository } from '../../store/repositories/archive-rules.js';
import { ArchivedImageRepository } from '../../store/repositories/archives.js';
import { syntheticAnalysis } from '../../store/test-support/synthetic-analysis.js';

type Probe = (api: ApiHarness) => Promise<void>;

const B_ARCHIVED = `sha256:${'a1'.repeat(32)}`;
const encArchived = encodeURIComponent(B_ARCHIVED);
let bobRuleId = '';

/** bob's archived image and rule, made once per harness. */
async function bobArchive(api: ApiHarness): Promise<void> {
  const archives = new ArchivedImageRepository(api.store.db);
  if (!(await archives.get('team-b', B_ARCHIVED))) {
    await api.store.images.add({
      accountName: 'team-b',
      imageDigest: B_ARCHIVED,
      tag: { registry: 'registry.example', repo: 'b/archived', tag: 'old' },
      annotations: { owner: 'b' },
    });
    await api.store.analyses.save(syntheticAnalysis(B_ARCHIVED, [{ name: 'bobpkg', version: '1.0' }], []));
    await api.store.images.transition(B_ARCHIVED, ['not_analyzed'], 'analyzed');
    const result = await archiveImage({ store: api.store, hostId: 'test' }, 'team-b', B_ARCHIVED);
    expect(result.status).toBe('archived');
  }
  const rules = new ArchiveRuleRepository(api.store.db);
  if (!(await rules.list('team-b', false)).some((r) => r.ruleId === bobRuleId)) {
    bobRuleId = (
      await rules.add({
        accountName: 'team-b',
        systemGlobal: false,
        transition: 'archive',
        analysisAgeDays: 30,
        tagVersionsNewer: 1,
        selector: { registry: '*', repository: 'b/*', tag: '*' },
        exclude: null,
        maxImagesPerAccount: null,
      })
    ).ruleId;
  }
}

/** bob's archive and rule are still there, untouched. */
async function bobArchiveUnchanged(api: ApiHarness): Promise<void> {
  const archived = await new ArchivedImageRepository(api.store.db).get('team-b', B_ARCHIVED);
  expect(archived?.annotations).toEqual({ owner: 'b' });
  expect(await api.store.images.get('team-b', B_ARCHIVED)).toBeUndefined();
  expect((await new ArchiveRuleRepository(api.store.db).get('team-b', bobRuleId))?.analysisAgeDays).toBe(30);
}

const notFoundForAlice =
  (method: 'GET' | 'DELETE', url: () => string): Probe =>
  async (api) => {
    await bobArchive(api);
    const res = await api.call('alice', { method, url: url() });
    expect(res.statusCode, `${method} ${url()}`).toBe(404);
    // The same answer as for a digest or rule no account has: the caller's own input echoed, nothing of bob's.
    const absent = url()
      .replace(encArchived, encodeURIComponent(`sha256:${'0'.repeat(64)}`))
      .replace(bobRuleId, 'no-such-rule');
    const other = await api.call('alice', { method, url: absent });
    const strip = (body: string) => body.replace(/sha256:[0-9a-f]{64}|archive rule \S+/g, 'X');
    expect(strip(res.body)).toBe(strip(other.body));
    await bobArchiveUnchanged(api);
  };

export const ARCHIVE_TENANCY: Record<string, Probe> = {
  'GET /v1/archives': async (api) => {
    await bobArchive(api);
    expect((await api.call('bob', { method: 'GET', url: '/v1/archives' })).json()).toMatchObject({
      images: { total_image_count: 1 },
    });
    const res = await api.call('alice', { method: 'GET', url: '/v1/archives' });
    expect(res.json()).toMatchObject({
      images: { total_image_count: 0, total_data_bytes: 0 },
      rules: { count: 0 },
    });
  },
  'GET /v1/archives/images': async (api) => {
    await bobArchive(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/archives/images' });
    expect(res.json()).toEqual([]);
  },
  'POST /v1/archives/images': async (api) => {
    await bobArchive(api);
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/archives/images',
      payload: [B_ARCHIVED],
    });
    expect(res.json()).toEqual([
      { digest: B_ARCHIVED, status: 'error', detail: `image ${B_ARCHIVED} not found in account team-a` },
    ]);
    // Nor can alice restore bob's archive into her account.
    const restore = await api.call('alice', {
      method: 'POST',
      url: '/v1/images',
      payload: { source: { archive: { digest: B_ARCHIVED } } },
    });
    expect(restore.statusCode).toBe(404);
    expect(await api.store.images.get('team-a', B_ARCHIVED)).toBeUndefined();
    await bobArchiveUnchanged(api);
  },
  'GET /v1/archives/images/:imageDigest': notFoundForAlice('GET', () => `/v1/archives/images/${encArchived}`),
  'DELETE /v1/archives/images/:imageDigest': notFoundForAlice(
    'DELETE',
    () => `/v1/archives/images/${encArchived}?force=True`,
  ),
  'GET /v1/archives/rules': async (api) => {
    await bobArchive(api);
    const res = await api.call('alice', { method: 'GET', url: '/v1/archives/rules' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(bobRuleId);
  },
  'POST /v1/archives/rules': async (api) => {
    await bobArchive(api);
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/archives/rules',
      payload: { transition: 'delete', analysis_age_days: 1, tag_versions_newer: 0 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const made = res.json() as { rule_id: string };
    expect((await new ArchiveRuleRepository(api.store.db).get('team-a', made.rule_id))?.accountName).toBe(
      'team-a',
    );
    // A rule for every account is the admin's to make.
    const global = await api.call('alice', {
      method: 'POST',
      url: '/v1/archives/rules',
      payload: { transition: 'delete', system_global: true },
    });
    expect(global.statusCode).toBe(403);
    await new ArchiveRuleRepository(api.store.db).delete('team-a', made.rule_id);
    await bobArchiveUnchanged(api);
  },
  'GET /v1/archives/rules/:ruleId': notFoundForAlice('GET', () => `/v1/archives/rules/${bobRuleId}`),
  'DELETE /v1/archives/rules/:ruleId': notFoundForAlice('DELETE', () => `/v1/archives/rules/${bobRuleId}`),
  'GET /v1/archives/rules/:ruleId/history': notFoundForAlice(
    'GET',
    () => `/v1/archives/rules/${bobRuleId}/history`,
  ),
};
