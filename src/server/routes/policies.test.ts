/**
 * Policy bundles and `check` on a real store with a really analysed image: the `app` fixture
 * pulled from the TLS + htpasswd registry and matched against the shared feeds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import {
  loadFeeds,
  pushAppFixture,
  analysePushedFixture,
  type PushedFixture,
} from '../../../test/harness/service-fixture.js';
import type { Finding } from '../../core/matching/types.js';
import { BUILTIN_BUNDLES } from '../../core/policy/index.js';
import { DEFAULT_POLICY_ID } from '../../store/repositories/default-policy.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';

let pushed: PushedFixture;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-policies-'));
  pushed = await pushAppFixture();
}, 600_000);
afterAll(async () => {
  await pushed?.registry.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

const builtin = (name: string, id: string): Record<string, unknown> => ({
  ...(structuredClone(BUILTIN_BUNDLES.find((b) => b.name === name)!.document) as Record<string, unknown>),
  id,
  name,
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function expectPolicyRecord(record: Record<string, unknown>): void {
  expect(Object.keys(record).sort()).toEqual(
    [
      'active',
      'created_at',
      'description',
      'last_updated',
      'name',
      'policyId',
      'policy_source',
      'policybundle',
      'policybundlemeta',
      'userId',
    ].sort(),
  );
  expect(typeof record.policyId).toBe('string');
  expect(typeof record.active).toBe('boolean');
  expect(record.policy_source).toBe('local');
  expect(record.created_at).toMatch(ISO);
  expect(record.last_updated).toMatch(ISO);
}

describe.each(STORE_KINDS)('policies and check on %s', (kind) => {
  let api: ApiHarness;
  let findings: Finding[];
  let imageId: string;
  const tag = () => pushed.reference;
  const enc = () => encodeURIComponent(pushed.digest);

  beforeAll(async () => {
    api = await startApi(kind);
    const vulnerabilities = vulnerabilityDataOf(api.database.db, await loadFeeds(api.database.db));
    const { result, registry, repo, tagName } = await analysePushedFixture(pushed, vulnerabilities, {
      cacheDir: join(root, kind),
      tempRoot: root,
    });
    findings = result.findings;
    imageId = result.imageId;
    await api.store.images.add({
      accountName: 'team-a',
      imageDigest: pushed.digest,
      tag: { registry: registry!, repo: repo!, tag: tagName! },
    });
    await api.store.analyses.save({ ...result });
    await api.store.images.transition(pushed.digest, ['not_analyzed'], 'analyzed');
  }, 600_000);
  afterAll(() => api?.close());

  it('gives every account, admin included, the default bundle, active', async () => {
    for (const user of ['admin', 'alice', 'bob'] as const) {
      const res = await api.call(user, { method: 'GET', url: '/v1/policies?detail=False' });
      expect(res.statusCode).toBe(200);
      const list = res.json() as Record<string, unknown>[];
      expect(list.map((p) => [p.policyId, p.active])).toEqual([[DEFAULT_POLICY_ID, true]]);
      expectPolicyRecord(list[0]!);
      expect(list[0]!.policybundle).toEqual({});
    }
  });

  it('refuses an invalid bundle with 400 naming the trigger and parameter at fault', async () => {
    const bad = builtin('reject-high', 'bad-bundle');
    const policies = bad.policies as {
      rules: { trigger: string; params: { name: string; value: string }[] }[];
    }[];
    policies[0]!.rules[0]!.params.push({ name: 'no_such_param', value: '1' });
    policies[0]!.rules[1]!.trigger = 'no_such_trigger';
    const res = await api.call('alice', { method: 'POST', url: '/v1/policies?detail=True', payload: bad });
    expect(res.statusCode).toBe(400);
    const body = res.json() as {
      message: string;
      httpcode: number;
      detail: { validation_details: unknown[] };
    };
    expect(body.httpcode).toBe(400);
    expect(body.message).toMatch(/^Bundle failed validation/);
    expect(body.message).toContain('no_such_param');
    expect(body.message).toContain('no_such_trigger');
    expect(body.detail.validation_details.length).toBeGreaterThanOrEqual(2);
    expect(await api.store.policies.get('team-a', 'bad-bundle')).toBeUndefined();
  });

  it('adds (inactive), gets, activates (one active), refuses to delete the active one, deletes', async () => {
    const added = await api.call('alice', {
      method: 'POST',
      url: '/v1/policies?detail=True',
      payload: builtin('allow-all', 'alice-allow'),
    });
    expect(added.statusCode).toBe(200);
    const record = added.json() as Record<string, unknown>;
    expectPolicyRecord(record);
    expect(record).toMatchObject({ policyId: 'alice-allow', active: false, userId: 'team-a' });
    expect((record.policybundle as { id: string }).id).toBe('alice-allow');

    const got = await api.call('alice', { method: 'GET', url: '/v1/policies/alice-allow?detail=True' });
    const [fetched] = got.json() as Record<string, unknown>[];
    expect(fetched).toMatchObject({ policyId: 'alice-allow', active: false });

    // anchore-cli's `policy activate`: the fetched record, active: true, PUT back.
    const put = await api.call('alice', {
      method: 'PUT',
      url: '/v1/policies/alice-allow',
      payload: { ...fetched, active: true },
    });
    expect(put.statusCode).toBe(200);
    expect((put.json() as Record<string, unknown>[])[0]).toMatchObject({
      policyId: 'alice-allow',
      active: true,
    });
    const list = (await api.call('alice', { method: 'GET', url: '/v1/policies' })).json() as {
      policyId: string;
      active: boolean;
    }[];
    expect(list.filter((p) => p.active).map((p) => p.policyId)).toEqual(['alice-allow']);

    const refused = await api.call('alice', { method: 'DELETE', url: '/v1/policies/alice-allow' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ httpcode: 400, message: expect.stringMatching(/active/) });
    const mismatch = await api.call('alice', {
      method: 'PUT',
      url: '/v1/policies/alice-allow',
      payload: { ...fetched, policyId: DEFAULT_POLICY_ID },
    });
    expect(mismatch.statusCode).toBe(400);

    // Back to the default, then the allow-all bundle can go.
    await api.call('alice', {
      method: 'PUT',
      url: `/v1/policies/${DEFAULT_POLICY_ID}`,
      payload: { policyId: DEFAULT_POLICY_ID, active: true },
    });
    const deleted = await api.call('alice', { method: 'DELETE', url: '/v1/policies/alice-allow' });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toBe('deleted');
    expect((await api.call('alice', { method: 'GET', url: '/v1/policies/alice-allow' })).statusCode).toBe(
      404,
    );
  });

  it('checks against the active bundle with the Anchore shape; the status follows the findings', async () => {
    const res = await api.call('alice', {
      method: 'GET',
      url: `/v1/images/${enc()}/check?history=false&detail=true&tag=${tag()}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as Record<string, Record<string, Record<string, unknown>[]>>[];
    expect(body).toHaveLength(1);
    expect(Object.keys(body[0]!)).toEqual([pushed.digest]);
    expect(Object.keys(body[0]![pushed.digest]!)).toEqual([tag()]);
    const [evaluation] = body[0]![pushed.digest]![tag()]!;
    expect(Object.keys(evaluation!).sort()).toEqual(['detail', 'last_evaluation', 'policyId', 'status']);
    expect(evaluation!.last_evaluation).toMatch(ISO);
    expect(evaluation!.policyId).toBe(DEFAULT_POLICY_ID);
    const highOrWorse = findings.filter((f) => !f.suppressed && ['High', 'Critical'].includes(f.severity));
    expect(evaluation!.status).toBe(highOrWorse.length > 0 ? 'fail' : 'pass');

    const detail = evaluation!.detail as {
      policy: { id: string };
      result: {
        image_id: string;
        tag: string;
        final_action: string;
        final_action_reason: string;
        result: Record<string, { result: { header: string[]; rows: unknown[][]; row_count: number } }>;
      };
    };
    expect(detail.policy.id).toBe(DEFAULT_POLICY_ID);
    expect(detail.result).toMatchObject({ image_id: imageId, tag: tag() });
    expect(detail.result.final_action).toBe(
      evaluation!.status === 'fail' ? 'stop' : expect.stringMatching(/^(go|warn)$/),
    );
    expect(detail.result.final_action_reason).toBe('policy_evaluation');
    const table = detail.result.result[imageId]!.result;
    expect(table.header).toEqual([
      'Image_Id',
      'Repo_Tag',
      'Trigger_Id',
      'Gate',
      'Trigger',
      'Check_Output',
      'Gate_Action',
      'Whitelisted',
      'Policy_Id',
    ]);
    expect(table.row_count).toBe(table.rows.length);
    for (const row of table.rows) {
      expect(row).toHaveLength(9);
      expect(row[0]).toBe(imageId);
      expect(row[3]).toBe('vulnerabilities');
      expect(['go', 'warn', 'stop']).toContain(row[6]);
    }
    // Every high or critical finding's vulnerability id shows in a stop row.
    const stopText = table.rows
      .filter((r) => r[6] === 'stop')
      .map((r) => String(r[5]))
      .join('\n');
    for (const f of highOrWorse) expect(stopText).toContain(f.id);
  });

  it('checks with another bundle by policyId, keeps history, and hides detail unless asked', async () => {
    await api.call('alice', {
      method: 'POST',
      url: '/v1/policies',
      payload: builtin('allow-all', 'alice-allow-2'),
    });
    const url = `/v1/images/${enc()}/check?policyId=alice-allow-2&tag=${tag()}&detail=false&history=true`;
    const res = await api.call('alice', { method: 'GET', url });
    const [evaluation] = (res.json() as Record<string, Record<string, Record<string, unknown>[]>>[])[0]![
      pushed.digest
    ]![tag()]!;
    expect(evaluation).toMatchObject({ policyId: 'alice-allow-2', status: 'pass', detail: {} });
    // Unchanged inputs add no second evaluation; the history shows the stored one.
    const again = await api.call('alice', { method: 'GET', url });
    expect(
      (again.json() as Record<string, Record<string, unknown[]>>[])[0]![pushed.digest]![tag()],
    ).toHaveLength(1);
  });

  it('summarises image tags and renders the stored SBOM in each format', async () => {
    const res = await api.call('alice', { method: 'GET', url: '/v1/summaries/imagetags' });
    expect(res.statusCode).toBe(200);
    const rows = res.json() as Record<string, unknown>[];
    const row = rows.find((r) => r.imageDigest === pushed.digest)!;
    expect(Object.keys(row).sort()).toEqual(
      [
        'analysis_status',
        'analyzed_at',
        'created_at',
        'fulltag',
        'imageDigest',
        'imageId',
        'image_status',
        'parentDigest',
        'tag_detected_at',
      ].sort(),
    );
    expect(row).toMatchObject({
      fulltag: tag(),
      imageId,
      analysis_status: 'analyzed',
      image_status: 'active',
    });
    expect(typeof row.created_at).toBe('number');
    expect((await api.call('bob', { method: 'GET', url: '/v1/summaries/imagetags' })).json()).toEqual([]);

    const packages = (await api.store.analyses.part(pushed.digest, 'sbom')) as {
      packages: { name: string }[];
    };
    const names = new Set(packages.packages.map((p) => p.name));
    const cdx = await api.call('alice', {
      method: 'GET',
      url: `/v1/images/${enc()}/sbom?format=cyclonedx-json`,
    });
    expect(cdx.headers['content-type']).toContain('application/vnd.cyclonedx+json');
    const bom = cdx.json() as { bomFormat: string; components: { name: string }[] };
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.components.filter((c) => names.has(c.name)).length).toBeGreaterThan(0);
    const spdx = await api.call('alice', { method: 'GET', url: `/v1/images/${enc()}/sbom?format=spdx-json` });
    expect((spdx.json() as { spdxVersion: string }).spdxVersion).toMatch(/^SPDX-2/);
    expect(
      (await api.call('alice', { method: 'GET', url: `/v1/images/${enc()}/sbom?format=xml` })).statusCode,
    ).toBe(400);
  });

  it('answers 404 for an unknown bundle, a tag the image does not have, and an unanalysed image', async () => {
    const base = `/v1/images/${enc()}/check`;
    expect((await api.call('alice', { method: 'GET', url: `${base}?policyId=nope` })).statusCode).toBe(404);
    const wrongTag = await api.call('alice', { method: 'GET', url: `${base}?tag=docker.io/library/nope:1` });
    expect(wrongTag.statusCode).toBe(404);
    expect(wrongTag.json()).toMatchObject({ httpcode: 404, detail: { error_codes: [] } });
    const other = `sha256:${'c'.repeat(64)}`;
    await api.store.images.add({
      accountName: 'team-a',
      imageDigest: other,
      tag: { registry: 'registry.example', repo: 'x', tag: '1' },
    });
    const pending = await api.call('alice', {
      method: 'GET',
      url: `/v1/images/${encodeURIComponent(other)}/check`,
    });
    expect(pending.statusCode).toBe(404);
    expect(pending.json()).toMatchObject({
      message: 'image is not analyzed - analysis_status: not_analyzed',
    });
  });
});
