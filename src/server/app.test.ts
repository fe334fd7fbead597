import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../test/harness/databases.js';

afterAll(() => stopSharedPostgres());

const DIGEST = `sha256:${'d'.repeat(64)}`;
const errorShape = { message: expect.any(String), httpcode: expect.any(Number), detail: expect.any(Object) };

describe.each(STORE_KINDS)('API basics on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(() => api.close());

  it('answers the reachability probe without auth and the version probe with a numeric version >= 0.1.6', async () => {
    const root = await api.call(null, { method: 'GET', url: '/v1' });
    expect(root.statusCode).toBe(200);
    expect(root.json()).toBe('v1');
    for (const url of ['/swagger.json', '/v1/swagger.json', '/openapi.json']) {
      const probe = await api.call(null, { method: 'GET', url });
      expect(probe.statusCode).toBe(200);
      const version = (probe.json() as { info: { version: string } }).info.version;
      expect(version).toMatch(/^\d+(\.\d+)*$/);
      const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
      expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(1006);
    }
    const openapi = (await api.call(null, { method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toContain('/v1/images/{imageDigest}/vuln/{vtype}');
  });

  it('reports the five services up and the feeds, as system wait reads them', async () => {
    const system = (await api.call('alice', { method: 'GET', url: '/v1/system' })).json() as {
      service_states: {
        servicename: string;
        status: boolean;
        service_detail: { up: boolean; db_version: string };
      }[];
    };
    expect(system.service_states.map((s) => s.servicename).sort()).toEqual([
      'analyzer',
      'apiext',
      'catalog',
      'policy_engine',
      'simplequeue',
    ]);
    expect(system.service_states.every((s) => s.status && s.service_detail.up)).toBe(true);
    // db_version is the store's schema, as /version reports it.
    const version = (await api.call('alice', { method: 'GET', url: '/v1/version' })).json() as {
      db: { schema_version: string };
    };
    expect(version.db.schema_version).toMatch(/^\d+$/);
    for (const s of system.service_states)
      expect(s.service_detail.db_version).toBe(version.db.schema_version);
    const feeds = (await api.call('alice', { method: 'GET', url: '/v1/system/feeds' })).json() as {
      name: string;
      groups: unknown[];
    }[];
    expect(feeds[0]?.name).toBe('vulnerabilities');
    expect(Array.isArray(feeds[0]?.groups)).toBe(true);
    const spec = (await api.call('alice', { method: 'GET', url: '/v1/system/policy_spec' })).json() as {
      name: string;
      triggers: unknown[];
    }[];
    expect(spec.map((g) => g.name)).toContain('vulnerabilities');
    expect((await api.call(null, { method: 'GET', url: '/v1/health' })).statusCode).toBe(200);
    expect((await api.call(null, { method: 'GET', url: '/v1/ready' })).statusCode).toBe(200);
  });

  it('queues one feed sync for an admin on POST /system/feeds, joining the one already queued', async () => {
    expect((await api.call('alice', { method: 'POST', url: '/v1/system/feeds' })).statusCode).toBe(403);
    const first = await api.call('admin', { method: 'POST', url: '/v1/system/feeds' });
    expect(first.statusCode).toBe(202);
    const { job_id: id, queued } = first.json() as { job_id: string; queued: boolean };
    expect(queued).toBe(true);
    expect(await api.queue.get(id)).toMatchObject({ kind: 'sync-feeds', state: 'queued' });
    const second = (await api.call('admin', { method: 'POST', url: '/v1/system/feeds' })).json();
    expect(second).toEqual({ job_id: id, queued: false });
  });

  it('answers every error with the Anchore body', async () => {
    const unknown = await api.call('alice', { method: 'GET', url: '/v1/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ ...errorShape, httpcode: 404 });
    const malformed = await api.call('alice', { method: 'POST', url: '/v1/images', payload: '{"tag": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({
      ...errorShape,
      httpcode: 400,
      message: expect.stringMatching(/malformed JSON/),
    });
    const wrongType = await api.call('alice', { method: 'POST', url: '/v1/images', payload: { tag: 42 } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ ...errorShape, httpcode: 400 });
    const huge = await api.call('alice', {
      method: 'POST',
      url: '/v1/images',
      payload: `{"tag": "${'x'.repeat(17 * 1024 * 1024)}"}`,
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ ...errorShape, httpcode: 413 });
    const badRef = await api.call('alice', {
      method: 'POST',
      url: '/v1/images',
      payload: { tag: 'UPPER/Case::bad' },
    });
    expect(badRef.statusCode).toBe(400);
    expect(badRef.json()).toMatchObject({
      ...errorShape,
      httpcode: 400,
      message: expect.stringMatching(/invalid image reference/),
    });
  });

  it('authenticates basic auth against the hashes and bearer tokens, and refuses the rest', async () => {
    expect((await api.call(null, { method: 'GET', url: '/v1/images' })).statusCode).toBe(401);
    const wrong = await api.app.inject({
      method: 'GET',
      url: '/v1/images',
      headers: { authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ ...errorShape, httpcode: 401 });
    const { secret } = await api.store.tokens.create({ username: 'alice', name: 'ci' });
    expect((await api.call({ bearer: secret }, { method: 'GET', url: '/v1/images' })).statusCode).toBe(200);
    expect((await api.call({ bearer: 'pcl_forged' }, { method: 'GET', url: '/v1/images' })).statusCode).toBe(
      401,
    );
  });

  it('lets an admin act in another account with x-anchore-account, and nobody else', async () => {
    await api.call('bob', {
      method: 'POST',
      url: '/v1/images',
      payload: { tag: `registry.example/app@${DIGEST}` },
    });
    const asAdmin = await api.call('admin', {
      method: 'GET',
      url: '/v1/images',
      headers: { 'x-anchore-account': 'team-b' },
    });
    expect((asAdmin.json() as { imageDigest: string }[]).map((i) => i.imageDigest)).toEqual([DIGEST]);
    const asAlice = await api.call('alice', {
      method: 'GET',
      url: '/v1/images',
      headers: { 'x-anchore-account': 'team-b' },
    });
    expect(asAlice.statusCode).toBe(403);
    expect(
      (
        await api.call('admin', {
          method: 'GET',
          url: '/v1/images',
          headers: { 'x-anchore-account': 'nobody' },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('adds an image by digest with annotations, four subscriptions and a queued analysis', async () => {
    const added = await api.call('alice', {
      method: 'POST',
      url: '/v1/images?autosubscribe=True&force=true',
      payload: { tag: `registry.example/team/app@${DIGEST}`, annotations: { owner: 'a' } },
    });
    expect(added.statusCode).toBe(200);
    const [record] = added.json() as Record<string, unknown>[];
    expect(record).toMatchObject({
      imageDigest: DIGEST,
      analysis_status: 'not_analyzed',
      image_status: 'active',
      annotations: { owner: 'a' },
      image_type: 'docker',
      analyzed_at: null,
    });
    const detail = (record!.image_detail as Record<string, unknown>[])[0];
    expect(detail).toMatchObject({
      registry: 'registry.example',
      repo: 'team/app',
      tag: 'latest',
      fulltag: 'registry.example/team/app:latest',
      imageDigest: DIGEST,
    });
    expect(detail!.tag_detected_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Anchore's image add: analysis_update on, tag_update on with autosubscribe, the others off.
    expect((await api.store.subscriptions.list('team-a')).map((s) => [s.type, s.active])).toEqual([
      ['analysis_update', true],
      ['policy_eval', false],
      ['tag_update', true],
      ['vuln_update', false],
    ]);
    expect((await api.queue.counts()).queued).toBeGreaterThanOrEqual(1);

    const byTag = await api.call('alice', {
      method: 'GET',
      url: '/v1/images?fulltag=registry.example/team/app:latest&history=false',
    });
    expect((byTag.json() as { imageDigest: string }[])[0]?.imageDigest).toBe(DIGEST);
    const encoded = await api.call('alice', {
      method: 'GET',
      url: `/v1/images/${encodeURIComponent(DIGEST)}`,
    });
    expect(encoded.statusCode).toBe(200);
    const vuln = await api.call('alice', {
      method: 'GET',
      url: `/v1/images/${encodeURIComponent(DIGEST)}/vuln/all?vendor_only=True`,
    });
    expect(vuln.statusCode).toBe(404);
    expect(vuln.json()).toMatchObject({ message: 'image is not analyzed - analysis_status: not_analyzed' });
    expect(
      (await api.call('alice', { method: 'GET', url: '/v1/images?fulltag=registry.example/team/app:other' }))
        .statusCode,
    ).toBe(404);
  });

  it('refuses to delete a subscribed image without force, and deletes it with force', async () => {
    const url = `/v1/images/${encodeURIComponent(DIGEST)}`;
    const refused = await api.call('alice', { method: 'DELETE', url });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ digest: DIGEST, status: 'delete_failed' });
    const forced = await api.call('alice', { method: 'DELETE', url: `${url}?force=True` });
    expect(forced.json()).toEqual({ digest: DIGEST, status: 'deleting', detail: null });
    expect((await api.call('alice', { method: 'GET', url })).statusCode).toBe(404);
    expect((await api.call('bob', { method: 'GET', url })).statusCode).toBe(200);
  });
});
