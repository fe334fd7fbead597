/** Registry credentials against the real TLS + htpasswd registry harness, on both stores. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { serviceOpenOptions } from '../../../test/harness/service-fixture.js';

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startRegistry('tls-basic');
}, 300_000);
afterAll(async () => {
  await registry?.stop();
  await stopSharedPostgres();
});

const RECORD_KEYS = [
  'created_at',
  'last_updated',
  'registry',
  'registry_name',
  'registry_pass',
  'registry_type',
  'registry_user',
  'registry_verify',
  'userId',
].sort();

describe.each(STORE_KINDS)('registries on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind, serviceOpenOptions(registry, join(tmpdir(), 'pc-registries-cache')));
  });
  afterAll(() => api?.close());

  const body = (password: string) => ({
    registry: registry.host,
    registry_user: registry.username,
    registry_pass: password,
    registry_type: 'docker_v2',
    registry_verify: true,
    registry_name: 'test registry',
  });
  const path = () => `/v1/registries/${encodeURIComponent(registry.host)}`;

  it('refuses to save with validate=True when the password is wrong: 406 with the reason', async () => {
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/registries?validate=True',
      payload: body('wrong-password'),
    });
    expect(res.statusCode).toBe(406);
    const error = res.json() as { message: string; httpcode: number; detail: Record<string, unknown> };
    expect(error.httpcode).toBe(406);
    expect(error.message).toContain(`login to ${registry.host} as ${registry.username} failed`);
    expect(error.detail.error_code).toBe('REGISTRY_UNAUTHORIZED');
    expect(res.body).not.toContain('wrong-password');
    expect(await api.store.registries.list('team-a')).toEqual([]);
  });

  it('saves after a successful login, never answering the password, and the worker can use it', async () => {
    const res = await api.call('alice', {
      method: 'POST',
      url: '/v1/registries?validate=True',
      payload: body(registry.password),
    });
    expect(res.statusCode, res.body).toBe(200);
    const [record] = res.json() as Record<string, unknown>[];
    expect(Object.keys(record!).sort()).toEqual(RECORD_KEYS);
    expect(record).toMatchObject({
      registry: registry.host,
      registry_name: 'test registry',
      registry_user: registry.username,
      registry_pass: '****',
      registry_type: 'docker_v2',
      registry_verify: true,
      userId: 'team-a',
    });
    const [stored] = await api.store.registries.withSecrets('team-a');
    expect(stored?.registryPass).toBe(registry.password);

    for (const url of ['/v1/registries', path()]) {
      const got = await api.call('alice', { method: 'GET', url });
      expect(got.statusCode).toBe(200);
      expect(got.body).not.toContain(registry.password);
      expect((got.json() as { registry_pass: string }[])[0]!.registry_pass).toBe('****');
    }
    const duplicate = await api.call('alice', { method: 'POST', url: '/v1/registries', payload: body('x') });
    expect(duplicate.statusCode).toBe(409);
  });

  it('updates with validation (406 keeps the old password), then deletes', async () => {
    const refused = await api.call('alice', {
      method: 'PUT',
      url: `${path()}?validate=True`,
      payload: body('wrong-again'),
    });
    expect(refused.statusCode).toBe(406);
    expect((await api.store.registries.withSecrets('team-a'))[0]?.registryPass).toBe(registry.password);
    const updated = await api.call('alice', {
      method: 'PUT',
      url: `${path()}?validate=False`,
      payload: { ...body('unchecked'), registry_name: 'renamed' },
    });
    expect(updated.statusCode).toBe(200);
    expect((updated.json() as Record<string, unknown>[])[0]).toMatchObject({
      registry_name: 'renamed',
      registry_pass: '****',
    });
    const deleted = await api.call('alice', { method: 'DELETE', url: path() });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toBe('deleted');
    expect((await api.call('alice', { method: 'GET', url: path() })).statusCode).toBe(404);
    expect((await api.call('alice', { method: 'DELETE', url: path() })).statusCode).toBe(404);
  });

  it('refuses a registry given as a URL or with a trailing slash', async () => {
    for (const bad of [`https://${registry.host}`, `${registry.host}/`]) {
      const res = await api.call('alice', {
        method: 'POST',
        url: '/v1/registries?validate=False',
        payload: { ...body('x'), registry: bad },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ httpcode: 400 });
    }
  });
});
